from hkfactor.cli import main

main()
