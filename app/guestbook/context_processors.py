from django.conf import settings


def site_static(request):
    """URL prefix of the site assets that the platform's nginx serves (app/static-site/)."""
    return {"SITE_STATIC_URL": settings.SITE_STATIC_URL}
