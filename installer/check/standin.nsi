; A stand-in for ndnclient.exe and ndnclient-gui.exe in the installer's check build
; (`scripts/build-installer.sh --check`): a real 64-bit Windows program, a few KB, that the
; installer tests run under Wine (tests/installer/). It is not the client.
;   standin.exe ARGS...          appends its command line to the file named by the environment
;                                variable NDNCLIENT_STANDIN_LOG, if set (UTF-16LE, a line a
;                                call), and exits with NDNCLIENT_STANDIN_EXIT (default 0): put
;                                in place of a system tool, it shows how the installer called it
;   standin.exe /UNTIL=C:\path   the same, then keeps running until that file exists (at most
;                                2 minutes): "the program is running" while an installer runs
Target amd64-unicode
SilentInstall silent
RequestExecutionLevel user
SetCompressor /SOLID lzma
Name "ndnclient stand-in"
!ifndef OUTFILE
  !define OUTFILE "standin.exe"
!endif
OutFile "${OUTFILE}"

!include FileFunc.nsh
!include LogicLib.nsh

Section
  ReadEnvStr $1 NDNCLIENT_STANDIN_LOG
  ${If} $1 != ""
    FileOpen $2 $1 a
    FileSeek $2 0 END
    FileWriteUTF16LE $2 "$CMDLINE$\r$\n"
    FileClose $2
  ${EndIf}

  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/UNTIL=" $1
  ${IfNot} ${Errors}
    ${For} $2 1 1200  ; tenths of a second
      ${IfThen} ${FileExists} $1 ${|} ${Break} ${|}
      Sleep 100
    ${Next}
  ${EndIf}

  ReadEnvStr $1 NDNCLIENT_STANDIN_EXIT
  ${If} $1 != ""
    SetErrorLevel $1
  ${EndIf}
SectionEnd
