from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpResponse


@login_required
@permission_required("complaints.view_complaint", raise_exception=True)
def queue_page(request):
    return HttpResponse("SKELETON")
