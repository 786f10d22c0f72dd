"""The `congdanso` console script: Django's management commands with our settings.

Every command starts through `main`, and so do the processes `congdanso serve` starts: the
checks every start needs (`congdanso.core.startup`) run here, before Django runs the command.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    from congdanso.core import startup

    startup.restrict_new_files()  # before the settings create the data folder
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    try:
        startup.command_start(args)
        execute_from_command_line(["congdanso", *args])
    except BrokenPipeError:
        # `congdanso export-residents … | head`: the reader left; stop quietly like cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)


if __name__ == "__main__":
    main()
