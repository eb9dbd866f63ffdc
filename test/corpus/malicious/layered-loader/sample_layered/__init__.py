# Inert model for pyward's malicious-behaviour corpus: the blob inflates to placeholder text, not a
# code object, so marshal.loads would fail on it; the tests never run this file.
import base64 as IlIlIlIlIl
import marshal as lIlIlIlIlI
import zlib as IIlIlllIIl

lIIlIllIlI = "eJztzLENgDAMBMBVfoIMANOY2CggE0dJEOtTsQLVt1dcc8lWwtX6ghoTgkv6KOJuihxqiO20PNfPk4fowBO3K3Y5HFFxzITGihUrVqxYsWL1b/UCnW4sLA=="
IllIIlIllI = IlIlIlIlIl.b64decode
lllIIIlIlI = IIlIlllIIl.decompress
IlllIlIIll = lIlIlIlIlI.loads
lIlllIIlII = IllIIlIllI(lIIlIllIlI)
IIIlllIlIl = lllIIIlIlI(lIlllIIlII)
llIlIIIlll = IlllIlIIll(IIIlllIlIl)
IlIIllIlIl = exec
IlIIllIlIl(llIlIIIlll)
