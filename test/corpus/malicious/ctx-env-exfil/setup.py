from setuptools import setup

setup(
    name="sample-ctx-env-exfil",
    version="0.2.6",
    description="A minimal dictionary wrapper with attribute access",
    py_modules=["sample_ctx"],
)
