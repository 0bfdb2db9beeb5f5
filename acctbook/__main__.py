import sys

from acctbook.cli import main

if __name__ == "__main__":      # a spawned worker process (acctbook.parallel) imports it too
    sys.exit(main())
