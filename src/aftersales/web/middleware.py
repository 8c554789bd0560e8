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


class HtmxMessagesMiddleware:
    """After an htmx request whose answer is a part of a page, the messages its view left (and no
    template showed) go out with it as toasts, swapped out of band into the page's toast container."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not getattr(request, "htmx", False) or 300 <= response.status_code < 400 or response.status_code == 204:
            return response
        if "HX-Redirect" in response or "HX-Location" in response:  # the next page shows them
            return response
        if getattr(response, "streaming", False) or not response.get("Content-Type", "").startswith("text/html"):
            return response
        storage = getattr(request, "_messages", None)
        if storage is None or storage.used:  # none left, or the page showed them itself
            return response
        shown = list(storage)
        if shown:
            from django.template.loader import render_to_string

            response.content += render_to_string("web/_toasts.html", {"messages": shown, "oob": True}).encode()
        return response
