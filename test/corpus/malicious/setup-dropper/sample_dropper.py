"""Kafka client helpers."""


def topic(name):
    return name.strip().lower()
