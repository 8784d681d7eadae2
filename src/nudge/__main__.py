from nudge.cli import main

main()
