from contactaudit.cli import main

main()
