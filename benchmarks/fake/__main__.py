"""``python -m benchmarks.fake``: serve the fake APIs until interrupted."""

import sys

from benchmarks.fake.cli import main

sys.exit(main())
