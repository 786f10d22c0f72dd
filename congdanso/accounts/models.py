from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The person who signs in. Roles and place scopes are attached to it (see access rules)."""
