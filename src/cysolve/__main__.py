import sys

from cysolve.cli import main

sys.exit(main())
