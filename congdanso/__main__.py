"""The `congdanso` console script: Django's management commands with our settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(["congdanso", *(sys.argv[1:] if argv is None else argv)])
    except BrokenPipeError:
        # `congdanso export-residents … | head`: the reader left; stop quietly like cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)


if __name__ == "__main__":
    main()
