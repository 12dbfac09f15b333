"""Placeholder: to be written."""


def file_written(request, *args, **kwargs):
    raise NotImplementedError


def file_oral(request, *args, **kwargs):
    raise NotImplementedError
