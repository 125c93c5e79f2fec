"""Password hashing: Argon2id at OWASP's minimum cost, first in PASSWORD_HASHERS.

Django's own Argon2PasswordHasher asks for 100 MiB and 8 lanes per hash; on a two-core
county server a deadline rush of logins would then queue on memory and cores. OWASP's
Password Storage Cheat Sheet lists m = 19 MiB, t = 2, p = 1 as its minimum Argon2id
configuration, which is still memory-hard against GPU guessing and costs a small fraction
of a PBKDF2 login (README, "Passwords"). Hashes made with other parameters or with PBKDF2
are upgraded on the next successful login (Django's must_update).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class RongheArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
