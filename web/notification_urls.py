from django.urls import path

from .views import notifications as views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.mark_read, name="mark_read"),
    path("preference/", views.preference, name="preference"),
    path("calendar/new/", views.feed_create, name="feed_create"),
    path("calendar/<int:pk>/revoke/", views.feed_revoke, name="feed_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="feed"),
    path("delivery/", views.delivery, name="delivery"),
]
