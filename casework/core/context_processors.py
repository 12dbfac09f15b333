from casework.core.roles import PORTAL_ROLES, roles_of


def roles(request) -> dict:
    user_roles = roles_of(request.user) if hasattr(request, "user") else []
    return {
        "user_roles": user_roles,
        "is_portal_user": bool(user_roles) and set(user_roles) <= PORTAL_ROLES,
    }
