"""WSGI entry point for gunicorn: `gunicorn congdanso.wsgi`.

`congdanso serve` starts gunicorn on this module too; whichever way, the start checks of
`congdanso.core.startup` run here before the first request.
"""

import os

from django.core.wsgi import get_wsgi_application

from congdanso.core import startup

startup.restrict_new_files()  # before the settings create the data folder
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congdanso.settings")
application = get_wsgi_application()
startup.wsgi_start()
