import FrontDeskCLI

FrontDesk.runFromCommandLine()
