"""Placeholder: to be written."""


def detail(request, *args, **kwargs):
    raise NotImplementedError


def accept(request, *args, **kwargs):
    raise NotImplementedError


def refuse(request, *args, **kwargs):
    raise NotImplementedError


def evidence_new(request, *args, **kwargs):
    raise NotImplementedError


def evidence_file(request, *args, **kwargs):
    raise NotImplementedError


def session_new(request, *args, **kwargs):
    raise NotImplementedError


def extend(request, *args, **kwargs):
    raise NotImplementedError


def settle(request, *args, **kwargs):
    raise NotImplementedError


def revise(request, *args, **kwargs):
    raise NotImplementedError


def mark(request, *args, **kwargs):
    raise NotImplementedError


def terminate(request, *args, **kwargs):
    raise NotImplementedError


def withdraw(request, *args, **kwargs):
    raise NotImplementedError


def payment_new(request, *args, **kwargs):
    raise NotImplementedError


def mark_defaulted(request, *args, **kwargs):
    raise NotImplementedError


def refer(request, *args, **kwargs):
    raise NotImplementedError


def close(request, *args, **kwargs):
    raise NotImplementedError
