from django.core.management.base import BaseCommand, CommandError

from apitokens.services import issue_token


class Command(BaseCommand):
    help = "Issue an API token for USERNAME (creating the user if needed) and print it once; only its digest is stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--expires-in-days", type=int, default=None, help="Default: the token does not expire.")

    def handle(self, username, expires_in_days, **options):
        if not username.strip():
            raise CommandError("username: must not be empty")
        if expires_in_days is not None and expires_in_days <= 0:
            raise CommandError("--expires-in-days: must be a positive number of days")
        user, created, token = issue_token(username, expires_in_days)
        if created:
            self.stderr.write(f"Created user {user.get_username()} (no password; it can only use API tokens).")
        self.stderr.write("Store this token now; it cannot be shown again:")
        self.stdout.write(token)
