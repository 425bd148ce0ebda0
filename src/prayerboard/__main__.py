from prayerboard.cli import main

raise SystemExit(main())
