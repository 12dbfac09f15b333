"""Placeholder: to be written."""


def queue_page(request, *args, **kwargs):
    raise NotImplementedError


def take_next(request, *args, **kwargs):
    raise NotImplementedError


def take(request, *args, **kwargs):
    raise NotImplementedError


def reassign_case(request, *args, **kwargs):
    raise NotImplementedError
