# Seed 000's "workaround #2" (sort by parent before upload), as the article publishes it; only
# the two file names come from the command line instead of being written into the script:
#   python3 sort_by_parent.py opportunities.csv opportunities_sorted.csv
import sys

import pandas as pd
df = pd.read_csv(sys.argv[1])
df = df.sort_values('AccountId') # Group by parent
df.to_csv(sys.argv[2], index=False)
