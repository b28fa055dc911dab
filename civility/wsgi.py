import os

from django.core.wsgi import get_wsgi_application

from civility.core.warmup import freeze_heap, warm_up

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civility.settings")
application = get_wsgi_application()
# A fresh worker does its one-off work now (URLconf, templates, catalogues), not in a request.
warm_up()
freeze_heap()  # after start-up's objects are made: full collections skip them
