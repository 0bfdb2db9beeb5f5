"""python -m acctbook.create: rebuild the template workbooks in workbook/."""

from acctbook.create.workbook import main

raise SystemExit(main())
