from org.access import access_for


def access(request):
    """The signed-in user's role, for templates that show or hide what the role allows."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"access": None}
    return {"access": access_for(user)}
