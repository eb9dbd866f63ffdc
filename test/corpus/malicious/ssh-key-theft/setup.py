from setuptools import setup

setup(
    name="sample-ssh-key-theft",
    version="0.7.2",
    description="A library for approximate and phonetic string matching",
    packages=["sample_jellyfish"],
)
