from setuptools import setup

setup(
    name="sample-colorama-hidden-exec",
    version="0.4.6",
    description="Cross-platform colored terminal text.",
    packages=["sample_colorama"],
)
