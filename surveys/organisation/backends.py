"""The login backend: Django's ModelBackend, reading the user's branch and unit with her.

Every page of a secretary names her branch and reads her tasks through it; with the
default backend that is a second query on every request, after the user's own."""

from django.contrib.auth.backends import ModelBackend, UserModel


class BranchModelBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user = UserModel._default_manager.select_related("branch__unit").get(pk=user_id)
        except UserModel.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
