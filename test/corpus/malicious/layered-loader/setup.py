from setuptools import setup

setup(
    name="sample-layered-loader",
    version="1.0.0",
    description="Requests made simple",
    packages=["sample_layered"],
)
