# Helper for tests/test_log_flash_vms.py: write or read a flash image file inside MicroPython.
# Usage: micropython -m flashvm_run IMAGE write|read   (prints name size complete sha256 lines)
import sys

import flash_mp
import logstore
from logfs_helper import HASH, Agenda, Driver, turns_script


def main():
    path, mode = sys.argv[1], sys.argv[2]
    if mode == "write":
        fs = flash_mp.mkfs(path, 64)
    else:
        fs = flash_mp.FlashFs(path, 64, format_if_bad=False)
    st = logstore.LogStore(fs, "e6614c311b7d2a35", "0.1.0")
    if mode == "write":
        d = Driver(st)
        st.begin(Agenda(), 0, HASH)
        for t, recs in turns_script(50):
            d.step(t, recs)
        st.end()
    for e in st.sessions():
        print("S %s %d %s %s" % (e["name"], e["size"], e["complete"], st.sha256(e["name"])))
    print("FSID %s" % st.fs_id)
    fs.close()


main()
