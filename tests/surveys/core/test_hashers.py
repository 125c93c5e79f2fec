"""Passwords: Argon2id at OWASP's minimum cost first in production, PBKDF2 hashes upgraded on
the next login (the test settings use MD5 for speed, so these tests put the production list
back with override_settings)."""

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password
from django.test import override_settings
from django.urls import reverse

from config import settings as production
from reports.management.commands.bench_hash import hash_timings
from surveys.organisation.models import User

PASSWORD = "correct-horse-battery"


def test_production_hashes_with_argon2id_at_owasp_minimum():
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        hasher = get_hasher("default")
        encoded = make_password(PASSWORD)
    assert hasher.algorithm == "argon2"
    assert (hasher.memory_cost, hasher.time_cost, hasher.parallelism) == (19 * 1024, 2, 1)
    # The parameters travel in the hash itself, so a later change upgrades old hashes.
    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_production_still_verifies_pbkdf2_hashes():
    assert production.PASSWORD_HASHERS[1:] == [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]


@pytest.mark.django_db
def test_a_pbkdf2_password_becomes_argon2id_on_the_next_login(client, branch_a):
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        user = User.objects.create(
            username="sec_old",
            role=User.Role.SECRETARY,
            branch=branch_a,
            password=make_password(PASSWORD, hasher="pbkdf2_sha256"),
        )
        assert identify_hasher(user.password).algorithm == "pbkdf2_sha256"
        response = client.post(reverse("login"), {"username": "sec_old", "password": PASSWORD})
        assert response.status_code == 302
        assert response.url == reverse("home")
        user.refresh_from_db()
        assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
        assert user.check_password(PASSWORD)
        # She logs in again with the same password, now against the new hash.
        client.logout()
        again = client.post(reverse("login"), {"username": "sec_old", "password": PASSWORD})
        assert again.status_code == 302


@pytest.mark.django_db
def test_a_wrong_password_leaves_the_old_hash_alone(client, branch_a):
    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        old = make_password(PASSWORD, hasher="pbkdf2_sha256")
        user = User.objects.create(
            username="sec_old", role=User.Role.SECRETARY, branch=branch_a, password=old
        )
        response = client.post(reverse("login"), {"username": "sec_old", "password": "wrong"})
        assert response.status_code == 200
        user.refresh_from_db()
        assert user.password == old


def test_bench_hash_times_pbkdf2_and_argon2_in_one_run():
    timings = hash_timings(repeat=1)
    assert timings["before"]["algorithm"] == "pbkdf2_sha256"
    assert timings["before"]["iterations"] >= 1_000_000
    assert timings["after"]["algorithm"] == "argon2id m=19456 KiB, t=2, p=1"
    assert timings["before"]["ms"] > 0 and timings["after"]["ms"] > 0
