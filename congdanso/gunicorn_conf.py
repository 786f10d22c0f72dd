"""gunicorn's settings for congdanso (`congdanso serve` passes them; when running gunicorn
yourself: `gunicorn -c python:congdanso.gunicorn_conf congdanso.wsgi`).

The access log names the path without its query string and leaves out the referring page:
a query string can carry what a user searched for (a name; the site posts numbers, but a
script may send `GET /api/v1/residents?q=…`), and a referrer repeats the previous page's.
"""

# remote address, user, time, method, path (no query), protocol, status, bytes, agent, ms
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s "%(a)s" %(M)sms'
