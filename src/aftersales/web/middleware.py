from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user without a language cookie sees the pages in the language of the profile
    (set by the language switch); the cookie, once set, wins."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (settings.LANGUAGE_COOKIE_NAME not in request.COOKIES and user is not None and user.is_authenticated
                and getattr(user, "language", "") and not request.path.startswith("/api/")):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
