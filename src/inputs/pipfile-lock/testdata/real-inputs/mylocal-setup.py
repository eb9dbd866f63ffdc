from setuptools import setup
setup(name="mylocal", version="0.3.0", package_dir={"": "src"}, packages=["mylocal"], install_requires=["six>=1.10"], extras_require={"yaml": ["pyyaml"]})
