import gc
import importlib

from aftersales.config import runtime


def test_the_wsgi_application_tunes_garbage_collection():
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        from aftersales.config import wsgi

        importlib.reload(wsgi)  # what a server does once: load the application
        assert gc.get_threshold() == runtime.GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
