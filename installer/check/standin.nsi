; A stand-in for ndnclient.exe and ndnclient-gui.exe in the installer's check build
; (`scripts/build-installer.sh --check`): a real 64-bit Windows program, a few KB, that the
; installer tests run under Wine (tests/installer/). It is not the client.
;   standin.exe ARGS...          appends its command line to the file named by the environment
;                                variable NDNCLIENT_STANDIN_LOG, if set (UTF-16LE, a line a
;                                call), and exits with NDNCLIENT_STANDIN_EXIT (default 0; with
;                                NDNCLIENT_STANDIN_EXIT_IF set, only when the command line holds
;                                that text): put in place of a system tool, it shows how the
;                                installer called it, and can fail one of the calls; with
;                                NDNCLIENT_STANDIN_DELETE set, it deletes that file first
;   standin.exe /UNTIL=C:\path   the same, then keeps running until that file exists (at most
;                                10 minutes): "the program is running" while an installer runs
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
!include StrFunc.nsh
${StrStr}  ; declares the function

Section
  ReadEnvStr $1 NDNCLIENT_STANDIN_LOG
  ${If} $1 != ""
    FileOpen $2 $1 a
    FileSeek $2 0 END
    FileWriteUTF16LE $2 "$CMDLINE$\r$\n"
    FileClose $2
  ${EndIf}

  ReadEnvStr $1 NDNCLIENT_STANDIN_DELETE
  ${If} $1 != ""
    Delete $1
  ${EndIf}

  ${GetParameters} $0
  ClearErrors
  ${GetOptions} $0 "/UNTIL=" $1
  ${IfNot} ${Errors}
    ${For} $2 1 6000  ; tenths of a second
      ${IfThen} ${FileExists} $1 ${|} ${Break} ${|}
      Sleep 100
    ${Next}
  ${EndIf}

  ReadEnvStr $1 NDNCLIENT_STANDIN_EXIT
  ReadEnvStr $3 NDNCLIENT_STANDIN_EXIT_IF
  ${If} $3 != ""
    ${StrStr} $4 $CMDLINE $3
    ${If} $4 == ""
      StrCpy $1 ""  ; not this call
    ${EndIf}
  ${EndIf}
  ${If} $1 != ""
    SetErrorLevel $1
  ${EndIf}
SectionEnd
