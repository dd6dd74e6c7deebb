from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("guestbook.urls")),
]

if settings.DEBUG:
    # Local development only; in the cluster the platform's nginx serves /static/.
    urlpatterns += static(settings.SITE_STATIC_URL, document_root=settings.BASE_DIR / "static-site")
