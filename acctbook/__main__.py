import sys

from acctbook.cli import main

sys.exit(main())
