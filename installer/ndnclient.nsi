; The Windows installer of ndnclient (NSIS 3, 64-bit Unicode). UTF-8 with a BOM: makensis reads
; the Japanese texts right on every platform. 64-bit only, like the program (PySide6 has no
; 32-bit Windows build): a 64-bit installer sees the 64-bit registry and Program Files as they
; are, with no WOW64 redirection to work around.
;
; Build (after the frozen folder, scripts/build-frozen.sh or the Windows workflow):
;   makensis /DVERSION=0.1.0 /DDIST=../dist/ndnclient installer/ndnclient.nsi
; or: bash scripts/build-installer.sh
;
; What IT gets (installer/README.md has the whole story):
;   default        per-user install into %LOCALAPPDATA%\Programs\ndnclient: no admin rights
;   /S             silent
;   /D=C:\path     another folder (NSIS: the last argument, no quotes)
;   /ALLUSERS      machine-wide into %ProgramFiles%\ndnclient, for every user; needs an
;                  elevated run (exit code 740 otherwise)
;   /POLICY=FILE   with /ALLUSERS: places FILE as %ProgramData%\ndnclient\policy.toml
; The uninstaller keeps the user's settings and logs unless /PURGE is given (or the user says
; so when asked). Exit codes: 0 done, 1 cancelled or failed, 2 bad /POLICY, 3 the program is
; running (nothing changed), 740 not elevated.
;
; Tested for real under Wine (tests/installer/, over the stand-in payload that
; `scripts/build-installer.sh --check` builds); installer/README.md says what Wine cannot show.

Target amd64-unicode  ; Unicode, 64-bit stub and plug-ins
ManifestDPIAware true
; Daily use needs no admin rights, and neither does the default install. A machine-wide
; install is started elevated by IT (an administrator prompt or a deployment tool).
RequestExecutionLevel user
SetCompressor /SOLID lzma

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh

!ifndef VERSION
  !error "pass the version: makensis /DVERSION=x.y.z (scripts/build-installer.sh does)"
!endif
!ifndef DIST
  !define DIST "../dist/ndnclient"
!endif
!ifndef OUTFILE
  !define OUTFILE "../dist/ndnclient-setup-${VERSION}.exe"
!endif

!define PRODUCT_NAME "GoSign ICカード証明書クライアント"
!define SHORTCUT_NAME "GoSign ICカード証明書クライアント.lnk"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\ndnclient"
!define PER_USER_DIR "$LOCALAPPDATA\Programs\ndnclient"
!define ERROR_ELEVATION_REQUIRED 740
!define EXIT_PROGRAM_RUNNING 3

; The wizard's name in the user's language; the shortcut and "Apps & features" keep the
; Japanese name, the same on every PC.
Name "$(InstallerName)"
OutFile "${OUTFILE}"
InstallDir "${PER_USER_DIR}"
BrandingText "ndnclient ${VERSION}"

; Four numbers only (x.y.z.w): scripts/build-installer.sh passes them beside the version.
!ifndef FILE_VERSION
  !define FILE_VERSION "${VERSION}.0"
!endif
VIProductVersion "${FILE_VERSION}"
VIAddVersionKey /LANG=0 "ProductName" "ndnclient"
VIAddVersionKey /LANG=0 "FileDescription" "${PRODUCT_NAME} (ndnclient) セットアップ"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "LegalCopyright" "ndnclient developers"

Var AllUsers      ; 1: machine-wide
Var PolicySource  ; the policy file given with /POLICY=
Var Purge         ; 1: the uninstaller also removes the user's settings and logs

; --- Pages and languages (Japanese first) --------------------------------------------------

!define MUI_ABORTWARNING
; The application's icon (resources/icons, made by scripts/build-icons.py) for the installer
; and the uninstaller; the shortcut takes the same icon from ndnclient-gui.exe.
!define MUI_ICON "..\resources\icons\ndnclient.ico"
!define MUI_UNICON "..\resources\icons\ndnclient.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\ndnclient-gui.exe"
; Leaving the folder page: a running copy there is found before anything is touched.
!define MUI_PAGE_CUSTOMFUNCTION_LEAVE DirectoryLeave
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "Japanese"
!insertmacro MUI_LANGUAGE "English"

LangString InstallerName ${LANG_JAPANESE} "${PRODUCT_NAME}"
LangString InstallerName ${LANG_ENGLISH} "GoSign IC card certificate client"
LangString NeedsElevation ${LANG_JAPANESE} "/ALLUSERS（すべてのユーザーへのインストール）は、管理者として実行したときだけ行えます。管理者のコマンドプロンプトから実行してください。"
LangString NeedsElevation ${LANG_ENGLISH} "/ALLUSERS (install for every user) needs an elevated run. Start it from an administrator command prompt."
LangString UninstallNeedsElevation ${LANG_JAPANESE} "このプログラムはコンピューター全体にインストールされています。アンインストールは、管理者として実行したときだけ行えます（情報システム担当者にご依頼ください）。"
LangString UninstallNeedsElevation ${LANG_ENGLISH} "This program is installed for every user of the PC. Uninstalling it needs an elevated run (ask your IT staff)."
LangString PolicyNeedsAllUsers ${LANG_JAPANESE} "/POLICY は /ALLUSERS と一緒に指定してください（ITポリシーはパソコン全体の設定です）。"
LangString PolicyNeedsAllUsers ${LANG_ENGLISH} "Give /POLICY together with /ALLUSERS (the IT policy is for the whole PC)."
LangString PolicyMissing ${LANG_JAPANESE} "/POLICY で指定されたファイルが見つかりません（フォルダーではなくファイルを指定してください）: "
LangString PolicyMissing ${LANG_ENGLISH} "The file given with /POLICY was not found (name a file, not a folder): "
LangString PolicyNotCopied ${LANG_JAPANESE} "ITポリシーファイルを配置できませんでした: "
LangString PolicyNotCopied ${LANG_ENGLISH} "The IT policy file could not be placed: "
LangString ProgramRunning ${LANG_JAPANESE} "GoSign ICカード証明書クライアント（ndnclient）が動いています。画面を閉じてから「再試行」を押してください（コマンドプロンプトで ndnclient を使っているときは、それも終わらせてください）。$\r$\n$\r$\n「キャンセル」を押すと、何も変えずに終わります。"
LangString ProgramRunning ${LANG_ENGLISH} "GoSign IC card certificate client (ndnclient) is running. Close its window, then choose Retry (and end any ndnclient command in a command prompt).$\r$\n$\r$\nCancel ends here and changes nothing."
LangString PolicyFolderNotLocked ${LANG_JAPANESE} "ITポリシーのフォルダーを管理者だけが変更できるように設定できなかったため、何もインストールしませんでした。フォルダーを削除してから、もう一度実行してください: "
LangString PolicyFolderNotLocked ${LANG_ENGLISH} "The IT policy folder could not be made writable by administrators only, so nothing was installed. Delete the folder and run again: "
LangString AskPurge ${LANG_JAPANESE} "このパソコンに保存されているあなたの設定（ユーザ情報設定など）とログも削除しますか？$\r$\n$\r$\n「いいえ」を選ぶと残ります。再インストールすればそのまま使えます。"
LangString AskPurge ${LANG_ENGLISH} "Also delete your settings (user info settings and others) and logs on this PC?$\r$\n$\r$\nChoose No to keep them; a reinstall picks them up again."

; --- A running copy ------------------------------------------------------------------------

; Windows keeps a running program's .exe open against writing, so a copy running from the
; folder (the window, or a command) is found without asking the program anything, whoever
; started it. Replacing files under it would leave a half-new folder: we stop first instead.
; Interactive: the user may close it and retry. Silent: exit code 3 at once, nothing changed
; (a deployment tool retries later; a hidden wait would only look like a hang).
!macro CHECK_NOT_RUNNING UN
Function ${UN}ProgramIsRunning  ; $1 = 1 when ndnclient.exe or ndnclient-gui.exe is in use
  StrCpy $1 0
  ${If} ${FileExists} "$INSTDIR\ndnclient-gui.exe"
    ClearErrors
    FileOpen $2 "$INSTDIR\ndnclient-gui.exe" a  ; write access; the file is left as it is
    ${If} ${Errors}
      StrCpy $1 1
    ${Else}
      FileClose $2
    ${EndIf}
  ${EndIf}
  ${If} ${FileExists} "$INSTDIR\ndnclient.exe"
    ClearErrors
    FileOpen $2 "$INSTDIR\ndnclient.exe" a
    ${If} ${Errors}
      StrCpy $1 1
    ${Else}
      FileClose $2
    ${EndIf}
  ${EndIf}
FunctionEnd

Function ${UN}WaitUntilClosed  ; $0 = 1 once nothing runs, 0 when the user cancels
  check:
    Call ${UN}ProgramIsRunning
    ${If} $1 == 0
      StrCpy $0 1
      Return
    ${EndIf}
    MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION $(ProgramRunning) /SD IDCANCEL IDRETRY check
  StrCpy $0 0
FunctionEnd
!macroend
!insertmacro CHECK_NOT_RUNNING ""
!insertmacro CHECK_NOT_RUNNING "un."

; --- Install -------------------------------------------------------------------------------

Function .onInit
  StrCpy $AllUsers 0
  StrCpy $PolicySource ""
  ${GetParameters} $R0

  ; ${GetOptions} matches a prefix: "/ALLUSERS" must come with nothing after it.
  ClearErrors
  ${GetOptions} $R0 "/ALLUSERS" $R1
  ${IfNot} ${Errors}
  ${AndIf} $R1 == ""
    StrCpy $AllUsers 1
    UserInfo::GetAccountType
    Pop $R2
    ; Under UAC a non-elevated administrator is reported as "User" here.
    ${If} $R2 != "Admin"
      MessageBox MB_ICONSTOP $(NeedsElevation) /SD IDOK
      SetErrorLevel ${ERROR_ELEVATION_REQUIRED}
      Quit
    ${EndIf}
    ; /D= (already in $INSTDIR) wins over the machine-wide default. Compared while the
    ; shell context is still the user's: under "all", $LOCALAPPDATA means ProgramData.
    ${If} $INSTDIR == "${PER_USER_DIR}"
      StrCpy $INSTDIR "$PROGRAMFILES64\ndnclient"
    ${EndIf}
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}

  ClearErrors
  ${GetOptions} $R0 "/POLICY=" $PolicySource
  ${IfNot} ${Errors}
    ${If} $AllUsers != 1
      MessageBox MB_ICONSTOP $(PolicyNeedsAllUsers) /SD IDOK
      SetErrorLevel 2
      Quit
    ${EndIf}
    ; Made absolute now: the install changes the working folder before the copy.
    GetFullPathName $PolicySource $PolicySource
    ${If} $PolicySource == ""
    ${OrIfNot} ${FileExists} $PolicySource
    ${OrIf} ${FileExists} "$PolicySource\*"
      MessageBox MB_ICONSTOP "$(PolicyMissing)$PolicySource" /SD IDOK
      SetErrorLevel 2
      Quit
    ${EndIf}
  ${Else}
    StrCpy $PolicySource ""
  ${EndIf}
FunctionEnd

Function DirectoryLeave
  Call WaitUntilClosed
  ${If} $0 != 1
    Abort  ; stays on the folder page
  ${EndIf}
FunctionEnd

; The IT policy folder, %ProgramData%\ndnclient, for administrators (and SYSTEM) to write and
; everyone else to read. Windows lets any user create folders in ProgramData: left alone, a user
; could create this one first and plant a policy for every user of the PC. So, before the
; policy goes in:
;   0. a link in its place (a junction or symbolic link, which a user may make) is removed,
;      never followed: the commands below would change the permissions of what it points to;
;   1. Administrators take the folder's ownership (takeown, whatever permissions a user set);
;   2. its permissions go back to inherited only (permissions a user added are dropped);
;   3. it stops inheriting from ProgramData: SYSTEM and Administrators full control, Users read;
;   4. what was already in it (or appeared during 2) gets owner Administrators and only the
;      folder's permissions. After 3 no one else can add anything.
; Accounts by SID: their names are translated on a Japanese Windows. /L: a link inside is
; changed itself, never followed. $0 is "0" when all went well, else what failed.
!define POLICY_DIR "$APPDATA\ndnclient"  ; machine-wide ($APPDATA is %ProgramData% there)
!define FILE_ATTRIBUTE_REPARSE_POINT 0x400
!macro ACL_STEP STEP COMMAND
  nsExec::Exec '${COMMAND}'
  Pop $0
  ${If} $0 != 0
    StrCpy $0 "step ${STEP}: $0"  ; the tool's exit code, or "error" when it did not start
    Return
  ${EndIf}
!macroend
Function LockPolicyFolder
  System::Call 'kernel32::GetFileAttributesW(w "${POLICY_DIR}") i .r1'
  ${If} $1 != -1
    IntOp $2 $1 & ${FILE_ATTRIBUTE_REPARSE_POINT}
    ${If} $2 != 0
      RMDir "${POLICY_DIR}"  ; removes the link itself
    ${EndIf}
  ${EndIf}
  CreateDirectory "${POLICY_DIR}"
  ${IfNot} ${FileExists} "${POLICY_DIR}\*"
    StrCpy $0 "${POLICY_DIR} is not a folder"
    Return
  ${EndIf}
  !insertmacro ACL_STEP 1 '"$SYSDIR\takeown.exe" /F "${POLICY_DIR}" /A'
  !insertmacro ACL_STEP 2 '"$SYSDIR\icacls.exe" "${POLICY_DIR}" /reset /L /Q'
  !insertmacro ACL_STEP 3 '"$SYSDIR\icacls.exe" "${POLICY_DIR}" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /L /Q'
  ; icacls fails on a pattern that matches nothing: step 4 only when the folder holds something.
  StrCpy $3 0
  FindFirst $1 $2 "${POLICY_DIR}\*"
  ${DoWhile} $2 != ""
    ${If} $2 != "."
    ${AndIf} $2 != ".."
      StrCpy $3 1
    ${EndIf}
    FindNext $1 $2
  ${Loop}
  FindClose $1
  ${If} $3 == 1
    !insertmacro ACL_STEP 4 '"$SYSDIR\icacls.exe" "${POLICY_DIR}\*" /setowner *S-1-5-32-544 /T /C /L /Q'
    !insertmacro ACL_STEP 4 '"$SYSDIR\icacls.exe" "${POLICY_DIR}\*" /reset /T /C /L /Q'
  ${EndIf}
  StrCpy $0 0
FunctionEnd

Section "ndnclient"
  ; Nothing is changed while the program runs from this folder (silent: exit code 3).
  Call WaitUntilClosed
  ${If} $0 != 1
    SetErrorLevel ${EXIT_PROGRAM_RUNNING}
    Abort
  ${EndIf}

  ; The IT policy folder locked and the policy placed first: if either fails, nothing else has
  ; been installed yet.
  ${If} $AllUsers == 1
    ; Machine-wide (SetShellVarContext all): $APPDATA is %ProgramData% here.
    Call LockPolicyFolder
    ${If} $0 != 0
      MessageBox MB_ICONSTOP "$(PolicyFolderNotLocked)${POLICY_DIR} ($0)" /SD IDOK
      SetErrorLevel 1
      Abort
    ${EndIf}
  ${EndIf}
  ${If} $PolicySource != ""
    ClearErrors
    CopyFiles /SILENT "$PolicySource" "$APPDATA\ndnclient\policy.toml"
    ${If} ${Errors}
      MessageBox MB_ICONSTOP "$(PolicyNotCopied)$APPDATA\ndnclient\policy.toml" /SD IDOK
      SetErrorLevel 2
      Abort
    ${EndIf}
  ${EndIf}

  SetOutPath "$INSTDIR"
  ; An update replaces the program's libraries wholesale: a DLL left from an older version
  ; could otherwise be loaded by the new one. Settings live elsewhere and are not touched.
  RMDir /r "$INSTDIR\_internal"
  File /r "${DIST}/*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  ; The icon: the first one in ndnclient-gui.exe, the application's (installer/ndnclient.spec).
  CreateShortcut "$SMPROGRAMS\${SHORTCUT_NAME}" "$INSTDIR\ndnclient-gui.exe" "" \
    "$INSTDIR\ndnclient-gui.exe" 0 SW_SHOWNORMAL "" "${PRODUCT_NAME}"

  ; "Apps & features": HKCU for a per-user install, HKLM for a machine-wide one (SHCTX
  ; follows SetShellVarContext).
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT_NAME} (ndnclient)"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "Publisher" "ndnclient"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\ndnclient-gui.exe"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr SHCTX "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $R0 $R1 $R2
  WriteRegDWORD SHCTX "${UNINSTALL_KEY}" "EstimatedSize" $R0
SectionEnd

; --- Uninstall -----------------------------------------------------------------------------

Function un.onInit
  StrCpy $AllUsers 0
  StrCpy $Purge 0
  ; Machine-wide when HKLM's entry names this folder; the uninstaller needs no flag for it.
  ReadRegStr $R1 HKLM "${UNINSTALL_KEY}" "InstallLocation"
  ${If} $R1 == $INSTDIR
    StrCpy $AllUsers 1
    UserInfo::GetAccountType
    Pop $R2
    ${If} $R2 != "Admin"
      MessageBox MB_ICONSTOP $(UninstallNeedsElevation) /SD IDOK
      SetErrorLevel ${ERROR_ELEVATION_REQUIRED}
      Quit
    ${EndIf}
    SetShellVarContext all
  ${Else}
    SetShellVarContext current
  ${EndIf}

  ; Nothing is removed while the program runs from this folder (silent: exit code 3).
  Call un.WaitUntilClosed
  ${If} $0 != 1
    SetErrorLevel ${EXIT_PROGRAM_RUNNING}
    Quit
  ${EndIf}

  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PURGE" $R3
  ${IfNot} ${Errors}
  ${AndIf} $R3 == ""
    StrCpy $Purge 1
  ${ElseIfNot} ${Silent}
    ; Default: keep. Settings hold the registered cards; losing them costs the user a visit.
    MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 $(AskPurge) IDNO keep
    StrCpy $Purge 1
    keep:
  ${EndIf}
FunctionEnd

Section "Uninstall"
  ; Again after the confirmation page: the program may have been started meanwhile.
  Call un.WaitUntilClosed
  ${If} $0 != 1
    SetErrorLevel ${EXIT_PROGRAM_RUNNING}
    Abort
  ${EndIf}

  Delete "$SMPROGRAMS\${SHORTCUT_NAME}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\ndnclient.exe"
  Delete "$INSTDIR\ndnclient-gui.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"  ; only if empty: never a folder the user put other things in
  DeleteRegKey SHCTX "${UNINSTALL_KEY}"

  ${If} $Purge == 1
    ${If} $AllUsers == 1
      ; The IT policy goes with a machine-wide purge only ($APPDATA is %ProgramData% here).
      Delete "$APPDATA\ndnclient\policy.toml"
      RMDir "$APPDATA\ndnclient"
    ${EndIf}
    ; The running user's own settings, logs and demo data; other users' profiles are theirs.
    SetShellVarContext current
    RMDir /r "$APPDATA\ndnclient"
    RMDir /r "$LOCALAPPDATA\ndnclient"
  ${EndIf}
SectionEnd
