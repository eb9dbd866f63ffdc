# /// script
# requires-python = ">=3.11"
# dependencies = [
#     "six==1.17.0",
#     "idna",
# ]
# ///
print("hi")
