from profai.cli import main

raise SystemExit(main())
