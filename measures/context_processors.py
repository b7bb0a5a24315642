"""The unread notice count shown in the header of every page."""

from ita_portal.access import remembered_unread

from .models import Notification


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    count = remembered_unread(user)  # read with the organisation in this request, if the page has one
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
    return {"unread_notifications": count}
