<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ja_JP">
<context>
    <name>AboutPage</name>
    <message>
        <source>About</source>
        <translation>バージョン情報</translation>
    </message>
    <message>
        <source>ndnclient — a client for GoSign IC-card certificates</source>
        <translation>ndnclient — GoSign ICカードとその証明書を使うためのソフト</translation>
    </message>
    <message>
        <source>Settings file</source>
        <translation>設定ファイル</translation>
    </message>
    <message>
        <source>IT policy file</source>
        <translation>IT ポリシーファイル</translation>
    </message>
    <message>
        <source>none (not used on this PC)</source>
        <translation>なし（このパソコンでは使っていません）</translation>
    </message>
    <message>
        <source>Log folder</source>
        <translation>ログのフォルダー</translation>
    </message>
    <message>
        <source>Version</source>
        <translation>バージョン</translation>
    </message>
    <message>
        <source>System</source>
        <translation>OS</translation>
    </message>
    <message>
        <source>Save diagnostics…</source>
        <translation>診断情報を保存…</translation>
    </message>
    <message>
        <source>Save diagnostics for the helpdesk</source>
        <translation>ヘルプデスク向けの診断情報を保存</translation>
    </message>
    <message>
        <source>Save diagnostics</source>
        <translation>診断情報を保存</translation>
    </message>
    <message>
        <source>Diagnostics (*.json)</source>
        <translation>診断情報 (*.json)</translation>
    </message>
    <message>
        <source>Saved to %1.</source>
        <translation>%1 に保存しました。</translation>
    </message>
</context>
<context>
    <name>CardEditDialog</name>
    <message>
        <source>Registered card</source>
        <translation>登録カード</translation>
    </message>
    <message>
        <source>Card number</source>
        <translation>カード番号</translation>
    </message>
    <message>
        <source>Valid from</source>
        <translation>有効期間の開始日</translation>
    </message>
    <message>
        <source>Valid to</source>
        <translation>有効期間の終了日</translation>
    </message>
    <message>
        <source>As printed on the card&apos;s notice, for example 2027-04-30, 2027/04/30 or R9.4.30. Register the inserted card to have them read from the card.</source>
        <translation>カードの通知書に書かれた日付を、2027-04-30、2027/04/30、R9.4.30 のように入力します。「差し込んだカードを登録」を使うと、カードから読み取ります。</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>for example: 2026 renewal</source>
        <translation>例: 2026年度更新分</translation>
    </message>
    <message>
        <source>for example 2027-04-30</source>
        <translation>例: 2027-04-30</translation>
    </message>
    <message>
        <source>Enter %1 as printed on the card&apos;s notice.</source>
        <translation>%1を、カードの通知書のとおりに入力してください。</translation>
    </message>
    <message>
        <source>Register a short validity?</source>
        <translation>短い有効期間で登録しますか？</translation>
    </message>
    <message>
        <source>The card would be valid only from %1 to %2 (%3 day(s)), but a GoSign IC card is valid for years. Are both dates as printed on the card&apos;s notice?</source>
        <translation>このままでは、カードの有効期間は %1 から %2 まで（%3 日間）しかありません。GoSign ICカードの有効期間はふつう数年です。どちらの日付も、カードの通知書に書かれているとおりですか？</translation>
    </message>
    <message>
        <source>Yes registers these dates. No goes back to correct them.</source>
        <translation>「はい」でこの日付のまま登録します。「いいえ」で入力に戻り、日付を直せます。</translation>
    </message>
    <message>
        <source>the first day of the validity</source>
        <translation>有効期間の開始日</translation>
    </message>
    <message>
        <source>the last day of the validity</source>
        <translation>有効期間の終了日</translation>
    </message>
    <message>
        <source>The validity ends before it starts.</source>
        <translation>有効期間の終了日が開始日より前になっています。</translation>
    </message>
    <message>
        <source>The last day of the validity, %1, has already passed: an expired card cannot be used. Check the date on the card&apos;s notice.</source>
        <translation>有効期間の終了日 %1 はもう過ぎています。有効期間が終わったカードは使えません。カードの通知書で日付を確かめてください。</translation>
    </message>
</context>
<context>
    <name>CardProbeAction</name>
    <message>
        <source>Look at the card&apos;s information (no PIN used)</source>
        <translation>カードの情報を調べる（PINは使いません）</translation>
    </message>
    <message>
        <source>Only reads the card: no PIN is sent and nothing on the card is changed. The result is saved as a file for the helpdesk.</source>
        <translation>カードを読むだけです。PINは送らず、カードの中身も変えません。結果はヘルプデスクに送るファイルとして保存します。</translation>
    </message>
    <message>
        <source>Looking at the card…</source>
        <translation>カードを調べています…</translation>
    </message>
    <message>
        <source>Save the card&apos;s information</source>
        <translation>カードの情報を保存</translation>
    </message>
    <message>
        <source>JSON file (*.json)</source>
        <translation>JSONファイル (*.json)</translation>
    </message>
    <message>
        <source>Part of the card&apos;s information was saved: %1 (the card stopped answering or was taken out partway). Send this file to the helpdesk. It holds no PIN; it holds the certificate&apos;s name and card number, so treat it as personal data.</source>
        <translation>カードの情報の一部を保存しました: %1（途中でカードが応答しなくなったか、抜かれました）。このファイルをヘルプデスクに送ってください。PINは含まれていません（証明書の名義とカード番号は含まれるため、個人情報として扱ってください）。</translation>
    </message>
    <message>
        <source>The card&apos;s information was saved: %1. Send this file to the helpdesk. It holds no PIN; it holds the certificate&apos;s name and card number, so treat it as personal data.</source>
        <translation>カードの情報を保存しました: %1。このファイルをヘルプデスクに送ってください。PINは含まれていません（証明書の名義とカード番号は含まれるため、個人情報として扱ってください）。</translation>
    </message>
</context>
<context>
    <name>CardSelector</name>
    <message>
        <source>Card in &amp;use:</source>
        <translation>使用するカード(&amp;U):</translation>
    </message>
    <message>
        <source>Card in use</source>
        <translation>使用するカード</translation>
    </message>
    <message>
        <source>Choose the card to use…</source>
        <translation>使うカードを選んでください…</translation>
    </message>
    <message>
        <source>%1 cards are inserted. Choose the card to use. Until you do, no PIN is sent to any card.</source>
        <translation>カードが%1枚差し込まれています。使うカードを選んでください。選ぶまで、PINはどのカードにも送りません。</translation>
    </message>
    <message>
        <source>A card that could not be read (reader: %1)</source>
        <translation>読み取れないカード（リーダー: %1）</translation>
    </message>
    <message>
        <source>%1  %2  valid until %3  (reader: %4)</source>
        <translation>%1&#x3000;%2&#x3000;有効期限 %3（リーダー: %4）</translation>
    </message>
    <message>
        <source>Card: the card in the reader %1</source>
        <translation>対象のカード: リーダー %1 のカード</translation>
    </message>
    <message>
        <source>Card: %1  Holder: %2  (reader: %3)</source>
        <translation>対象のカード: %1&#x3000;名義人: %2（リーダー: %3）</translation>
    </message>
</context>
<context>
    <name>CertToolsPage</name>
    <message>
        <source>Certificate tools</source>
        <translation>証明書ツール</translation>
    </message>
    <message>
        <source>Make the key and the certificate signing request (CSR) for a website or e-mail certificate, checked against the CA&apos;s rules before anything is made; or look inside a certificate.</source>
        <translation>Webサイトや電子メールの証明書のための秘密鍵と証明書署名要求（CSR）を、認証局の規則を確かめてから作ります。証明書の中身を確かめることもできます。</translation>
    </message>
    <message>
        <source>Make a CSR</source>
        <translation>CSRを作る</translation>
    </message>
    <message>
        <source>Look inside a certificate</source>
        <translation>証明書を確認</translation>
    </message>
</context>
<context>
    <name>CertificateViewer</name>
    <message>
        <source>Certificate file</source>
        <translation>証明書ファイル</translation>
    </message>
    <message>
        <source>Open…</source>
        <translation>開く…</translation>
    </message>
    <message>
        <source>Open a certificate file</source>
        <translation>証明書ファイルを開く</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>表示</translation>
    </message>
    <message>
        <source>Show the file&apos;s certificate</source>
        <translation>ファイルの証明書を表示</translation>
    </message>
    <message>
        <source>Show the IC card&apos;s certificate</source>
        <translation>ICカードの証明書を表示</translation>
    </message>
    <message>
        <source>PKCS#12 password</source>
        <translation>PKCS#12 のパスワード</translation>
    </message>
    <message>
        <source>only for a PKCS#12 file that has one</source>
        <translation>パスワード付きの PKCS#12 ファイルのときだけ</translation>
    </message>
    <message>
        <source>Certificate details</source>
        <translation>証明書の内容</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>ファイル(&amp;F)</translation>
    </message>
    <message>
        <source>PKCS#12 pass&amp;word</source>
        <translation>PKCS#12 のパスワード(&amp;W)</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt *.cer *.der *.p12 *.pfx);;All files (*)</source>
        <translation>証明書 (*.pem *.crt *.cer *.der *.p12 *.pfx);;すべてのファイル (*)</translation>
    </message>
    <message>
        <source>Choose a certificate file first (Open…).</source>
        <translation>先に証明書のファイルを選んでください（「開く…」）。</translation>
    </message>
    <message>
        <source>%1 point(s) break the rules: see Warnings.</source>
        <translation>規則に反するところが %1 件あります（「注意」をご覧ください）。</translation>
    </message>
</context>
<context>
    <name>CheckPage</name>
    <message>
        <source>Operation check</source>
        <translation>動作確認</translation>
    </message>
    <message>
        <source>Checks the card reader, the card, the settings and the network. When something does not work, run it and tell the helpdesk the codes it shows.</source>
        <translation>カードリーダー、ICカード、設定、ネットワークを確認します。うまく動かないときは動作確認を行い、表示されたコードをヘルプデスクにお伝えください。</translation>
    </message>
    <message>
        <source>&amp;Start</source>
        <translation>開始(&amp;S)</translation>
    </message>
    <message>
        <source>Start the operation check</source>
        <translation>動作確認を開始</translation>
    </message>
    <message>
        <source>S&amp;top</source>
        <translation>中止(&amp;T)</translation>
    </message>
    <message>
        <source>Stop the operation check</source>
        <translation>動作確認を中止</translation>
    </message>
    <message>
        <source>&amp;Copy for the helpdesk</source>
        <translation>ヘルプデスク用にコピー(&amp;C)</translation>
    </message>
    <message>
        <source>Copy the summary and the codes for the helpdesk</source>
        <translation>結果の要約とコードをヘルプデスク用にコピー</translation>
    </message>
    <message>
        <source>Save the &amp;report…</source>
        <translation>結果を保存(&amp;R)…</translation>
    </message>
    <message>
        <source>Save the report</source>
        <translation>結果を保存</translation>
    </message>
    <message>
        <source>Progress of the operation check</source>
        <translation>動作確認の進み具合</translation>
    </message>
    <message>
        <source>Press Start to run the operation check.</source>
        <translation>「開始」を押すと動作確認を始めます。</translation>
    </message>
    <message>
        <source>Summary</source>
        <translation>結果の要約</translation>
    </message>
    <message>
        <source>Codes to tell the helpdesk</source>
        <translation>ヘルプデスクに伝えるコード</translation>
    </message>
    <message>
        <source>Card checked</source>
        <translation>確認したカード</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>結果</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>コード</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>Results of the operation check</source>
        <translation>動作確認の結果</translation>
    </message>
    <message>
        <source>What the selected result means</source>
        <translation>選んだ結果の説明</translation>
    </message>
    <message>
        <source>Select a row to see what it means and what to do.</source>
        <translation>行を選ぶと、その意味と対処が表示されます。</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>確認しています…</translation>
    </message>
    <message>
        <source>Stopping the check…</source>
        <translation>動作確認を中止しています…</translation>
    </message>
    <message>
        <source>The operation check stopped unexpectedly (%1). Run it again; if this happens again, tell the helpdesk.</source>
        <translation>動作確認が予期せず止まりました（%1）。もう一度実行してください。繰り返し起きる場合はヘルプデスクにご連絡ください。</translation>
    </message>
    <message>
        <source>No card is inserted, so the card was not checked.</source>
        <translation>カードが差し込まれていないため、カードの確認は行っていません。</translation>
    </message>
    <message>
        <source>Codes to tell the helpdesk: %1</source>
        <translation>ヘルプデスクに伝えるコード: %1</translation>
    </message>
    <message>
        <source>Card checked: %1</source>
        <translation>確認したカード: %1</translation>
    </message>
    <message>
        <source>Other cards inserted: %1</source>
        <translation>ほかに差し込まれていたカード: %1</translation>
    </message>
    <message>
        <source>%1 of %2 checks finished</source>
        <translation>%2項目中 %1項目 完了</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>ホーム</translation>
    </message>
    <message>
        <source>User info settings</source>
        <translation>ユーザ情報設定</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Allowed URL list</source>
        <translation>許可URLリスト</translation>
    </message>
    <message>
        <source>Open the “%1” page</source>
        <translation>「%1」ページを開く</translation>
    </message>
    <message>
        <source>What to do</source>
        <translation>対処</translation>
    </message>
    <message>
        <source>What it means</source>
        <translation>意味</translation>
    </message>
    <message>
        <source>Copied. Paste it into your message to the helpdesk.</source>
        <translation>コピーしました。ヘルプデスクへの連絡に貼り付けてください。</translation>
    </message>
    <message>
        <source>Web page (*.html)</source>
        <translation>Webページ (*.html)</translation>
    </message>
    <message>
        <source>Text (*.txt)</source>
        <translation>テキスト (*.txt)</translation>
    </message>
    <message>
        <source>JSON for scripts (*.json)</source>
        <translation>JSON（スクリプト用） (*.json)</translation>
    </message>
    <message>
        <source>The report was saved to %1.</source>
        <translation>結果を %1 に保存しました。</translation>
    </message>
</context>
<context>
    <name>CorrectionDialog</name>
    <message>
        <source>Correct record No.%1</source>
        <translation>No.%1 の記録を訂正</translation>
    </message>
    <message>
        <source>The record stays as it is; the correction is added as a new record that refers to it.</source>
        <translation>元の記録はそのまま残り、訂正はその記録を指す新しい記録として追加されます。</translation>
    </message>
    <message>
        <source>Reason for the correction (required)</source>
        <translation>訂正の理由（必須）</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>使用者</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>件名</translation>
    </message>
    <message>
        <source>Destination</source>
        <translation>宛先</translation>
    </message>
    <message>
        <source>Custodian (approver)</source>
        <translation>保管責任者（承認者）</translation>
    </message>
    <message>
        <source>Return date</source>
        <translation>返却予定日</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>&amp;Reason (required)</source>
        <translation>訂正の理由・必須(&amp;R)</translation>
    </message>
    <message>
        <source>Return time</source>
        <translation>返却予定時刻</translation>
    </message>
    <message>
        <source>Record the correction</source>
        <translation>訂正を記録</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>キャンセル</translation>
    </message>
</context>
<context>
    <name>CsrForm</name>
    <message>
        <source>Web server certificate (SSL)</source>
        <translation>Webサーバー証明書（SSL）</translation>
    </message>
    <message>
        <source>EV certificate (organisation)</source>
        <translation>EV証明書（法人）</translation>
    </message>
    <message>
        <source>E-mail certificate (S/MIME)</source>
        <translation>電子メール証明書（S/MIME）</translation>
    </message>
    <message>
        <source>Kind of certificate</source>
        <translation>証明書の種類</translation>
    </message>
    <message>
        <source>&amp;Kind</source>
        <translation>種類(&amp;K)</translation>
    </message>
    <message>
        <source>Key type</source>
        <translation>鍵の種類</translation>
    </message>
    <message>
        <source>Ke&amp;y</source>
        <translation>鍵(&amp;Y)</translation>
    </message>
    <message>
        <source>ASCII only (for servers that cannot take Japanese)</source>
        <translation>ASCIIのみ（日本語の証明書を扱えないサーバー向け）</translation>
    </message>
    <message>
        <source>O is the legal name (a company&apos;s registered name), not a nickname (通称)</source>
        <translation>O は戸籍上の氏名（法人は登記上の名称）で、通称ではありません</translation>
    </message>
    <message>
        <source>Private key file</source>
        <translation>秘密鍵ファイル</translation>
    </message>
    <message>
        <source>CSR file</source>
        <translation>CSRファイル</translation>
    </message>
    <message>
        <source>Private key &amp;file</source>
        <translation>秘密鍵ファイル(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;CSR file</source>
        <translation>CSRファイル(&amp;C)</translation>
    </message>
    <message>
        <source>Pass phrase for the private key</source>
        <translation>秘密鍵のパスフレーズ</translation>
    </message>
    <message>
        <source>The pass phrase again</source>
        <translation>パスフレーズ（確認）</translation>
    </message>
    <message>
        <source>&amp;Pass phrase</source>
        <translation>パスフレーズ(&amp;P)</translation>
    </message>
    <message>
        <source>Pass phrase &amp;again</source>
        <translation>パスフレーズ（確認）(&amp;A)</translation>
    </message>
    <message>
        <source>Create the key and the CSR</source>
        <translation>秘密鍵とCSRを作成</translation>
    </message>
    <message>
        <source>Summary to check against the application form</source>
        <translation>申込書と見比べるための内容</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>参照…</translation>
    </message>
    <message>
        <source>CN: the site&apos;s FQDN</source>
        <translation>CN: サイトのFQDN</translation>
    </message>
    <message>
        <source>CN: the party&apos;s or person&apos;s name</source>
        <translation>CN: 政党名・団体名または氏名</translation>
    </message>
    <message>
        <source>O: legal name (person) or name (company)</source>
        <translation>O: 戸籍上の氏名（法人は名称）</translation>
    </message>
    <message>
        <source>O: registered name of the company</source>
        <translation>O: 登記上の法人名</translation>
    </message>
    <message>
        <source>O: name of the person or organisation</source>
        <translation>O: 氏名または団体名</translation>
    </message>
    <message>
        <source>OU (optional)</source>
        <translation>OU（任意）</translation>
    </message>
    <message>
        <source>L: city</source>
        <translation>L: 市区町村</translation>
    </message>
    <message>
        <source>ST: prefecture</source>
        <translation>ST: 都道府県</translation>
    </message>
    <message>
        <source>C: country code</source>
        <translation>C: 国コード</translation>
    </message>
    <message>
        <source>SAN: more FQDNs</source>
        <translation>SAN: ほかのFQDN</translation>
    </message>
    <message>
        <source>SAN: e-mail addresses</source>
        <translation>SAN: メールアドレス</translation>
    </message>
    <message>
        <source>legal name (person) or name (company)</source>
        <translation>戸籍上の氏名（法人は名称）</translation>
    </message>
    <message>
        <source>registered name of the company</source>
        <translation>登記上の法人名</translation>
    </message>
    <message>
        <source>name of the person or organisation</source>
        <translation>個人名または団体名</translation>
    </message>
    <message>
        <source>separate with commas</source>
        <translation>カンマで区切って入力</translation>
    </message>
    <message>
        <source>For a website: CN is the site&apos;s address (FQDN); O is the holder&apos;s legal name (an individual&apos;s name as registered, never a nickname).</source>
        <translation>Webサイト用: CN はサイトのアドレス（FQDN）、O は証明書を持つ方の戸籍上の氏名です（通称は使えません）。</translation>
    </message>
    <message>
        <source>Extended validation: CN is the site&apos;s FQDN; O is the organisation&apos;s registered name, as in the commercial register.</source>
        <translation>EV（拡張認証）: CN はサイトのFQDN、O は登記簿どおりの法人の名称です。</translation>
    </message>
    <message>
        <source>For signing e-mail: CN is the party&apos;s or person&apos;s name; the SAN holds the e-mail address the certificate is for.</source>
        <translation>電子メールの署名用: CN は政党・団体名または氏名、SAN には証明書を使うメールアドレスを入れます。</translation>
    </message>
    <message>
        <source>Confirm that O is the legal name: the CA refuses a nickname.</source>
        <translation>O が正式な名称であることを確認してください（通称では発行されません）。</translation>
    </message>
    <message>
        <source>Choose where the key and the CSR go.</source>
        <translation>秘密鍵とCSRの保存先を指定してください。</translation>
    </message>
    <message>
        <source>Making the key pair and the CSR…</source>
        <translation>鍵ペアとCSRを作っています…</translation>
    </message>
</context>
<context>
    <name>FirstDayGuide</name>
    <message>
        <source>1. Insert the GoSign IC card into the card reader.</source>
        <translation>1. GoSign ICカードをカードリーダーに差し込む</translation>
    </message>
    <message>
        <source>2. Register the card in the user info settings.</source>
        <translation>2. 「ユーザ情報設定」でカードを登録する</translation>
    </message>
    <message>
        <source>3. Run the operation check.</source>
        <translation>3. 「動作確認」を実行する</translation>
    </message>
    <message>
        <source>4. Add the sites where you use the card (e-bidding and others) to the allowed URL list.</source>
        <translation>4. カードを使うサイト（電子入札など）を「許可URLリスト」に追加する</translation>
    </message>
    <message>
        <source>Open user info settings</source>
        <translation>ユーザ情報設定を開く</translation>
    </message>
    <message>
        <source>Open operation check</source>
        <translation>動作確認を開く</translation>
    </message>
    <message>
        <source>Open allowed URL list</source>
        <translation>許可URLリストを開く</translation>
    </message>
    <message>
        <source>done</source>
        <translation>済み</translation>
    </message>
    <message>
        <source>to do</source>
        <translation>これから</translation>
    </message>
    <message>
        <source>✔ The first-day steps are all done.</source>
        <translation>✔ 初めて使う日の準備はすべて済んでいます。</translation>
    </message>
    <message>
        <source>First day: do these steps in order (%1 of %2 done).</source>
        <translation>初めて使う日の準備: 上から順に進めてください（済み: %1 / %2）。</translation>
    </message>
    <message>
        <source>Show the steps</source>
        <translation>手順を表示</translation>
    </message>
    <message>
        <source>Hide the steps</source>
        <translation>手順を閉じる</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>If this shows for a GoSign IC card, look at the card&apos;s information and send it to the helpdesk.</source>
        <translation>GoSign ICカードなのにこの表示になる場合は、カードの情報を調べてヘルプデスクに送ってください。</translation>
    </message>
    <message>
        <source>Looking for the card reader…</source>
        <translation>カードリーダーを確認しています…</translation>
    </message>
    <message>
        <source>Inserted cards</source>
        <translation>差し込まれているカード</translation>
    </message>
    <message>
        <source>GoSign IC card</source>
        <translation>GoSign ICカード</translation>
    </message>
    <message>
        <source>Card state</source>
        <translation>カードの状態</translation>
    </message>
    <message>
        <source>Lent out: to %1 (since %2)</source>
        <translation>貸出中: %1 さん（%2 から）</translation>
    </message>
    <message>
        <source>Lent out: to %1 (since %2, due %3)</source>
        <translation>貸出中: %1 さん（%2 から、期限 %3）</translation>
    </message>
    <message>
        <source> — overdue: the card should be back</source>
        <translation> — 返却期限を過ぎています</translation>
    </message>
    <message>
        <source>Inserted cards:</source>
        <translation>差し込まれているカード:</translation>
    </message>
    <message>
        <source>• A card that could not be read (reader: %1)</source>
        <translation>・読み取れないカード（リーダー: %1）</translation>
    </message>
    <message>
        <source>registered</source>
        <translation>登録済み</translation>
    </message>
    <message>
        <source>not registered</source>
        <translation>未登録</translation>
    </message>
    <message>
        <source>• %1  %2 (reader: %3), valid until %4, %5</source>
        <translation>・%1&#x3000;%2（リーダー: %3）&#x3000;有効期限 %4&#x3000;%5</translation>
    </message>
    <message>
        <source>This is not a GoSign card: see below.</source>
        <translation>GoSign ICカードではありません（下の説明をご覧ください）。</translation>
    </message>
    <message>
        <source>%1 cards are inserted.</source>
        <translation>カードが%1枚差し込まれています。</translation>
    </message>
    <message>
        <source>The card cannot be used now: see below.</source>
        <translation>いまはカードを使えません（下の説明をご覧ください）。</translation>
    </message>
    <message>
        <source>This card has expired.</source>
        <translation>このカードは有効期限が切れています。</translation>
    </message>
    <message>
        <source>The PIN is locked: unlock it on the PIN page.</source>
        <translation>PINがロックされています。「PIN」の画面でロックを解除してください。</translation>
    </message>
    <message>
        <source>The card can be used, but few PIN tries are left.</source>
        <translation>カードは使えますが、PINの残り回数が少なくなっています。</translation>
    </message>
    <message>
        <source>The card works, but it is not registered yet: see below.</source>
        <translation>カードは使えますが、まだユーザ情報設定に登録されていません（下の説明をご覧ください）。</translation>
    </message>
    <message>
        <source>The card is ready to use.</source>
        <translation>カードは使える状態です。</translation>
    </message>
    <message>
        <source>The inserted card (%1) is not registered in the user info settings.</source>
        <translation>差し込まれているカード（%1）は、ユーザ情報設定に登録されていません。</translation>
    </message>
    <message>
        <source>Register this card</source>
        <translation>このカードを登録</translation>
    </message>
    <message>
        <source>Time to renew: this card is valid until %1. Start the application by %2; the renewed card&apos;s validity should start on %3.</source>
        <translation>更新の時期です。このカードの有効期限は %1 です。%2 までに更新の申し込みを始めてください。更新後のカードの有効期間は %3 からが目安です。</translation>
    </message>
    <message>
        <source>The card is registered.</source>
        <translation>カードを登録しました。</translation>
    </message>
</context>
<context>
    <name>LedgerPage</name>
    <message>
        <source>Card lending ledger</source>
        <translation>貸出管理簿</translation>
    </message>
    <message>
        <source>Record here who borrows the IC card and when it comes back. The program also records by itself every PIN and signature it sends. Records are never changed or removed: a mistake is fixed with a correction.</source>
        <translation>ICカードを誰が借り、いつ返したかをここに記録します。このソフトが送ったPINと署名も、自動で記録されます。記録は変更も削除もできません。誤りは「訂正」で直します。</translation>
    </message>
    <message>
        <source>Cards</source>
        <translation>カードの状態</translation>
    </message>
    <message>
        <source>No card is registered yet. Register the card in the user info settings; it is then shown here.</source>
        <translation>カードがまだ登録されていません。ユーザ情報設定でカードを登録すると、ここに表示されます。</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>カード</translation>
    </message>
    <message>
        <source>Borrower</source>
        <translation>使用者</translation>
    </message>
    <message>
        <source>Subject (required)</source>
        <translation>件名（必須）</translation>
    </message>
    <message>
        <source>e.g. bid for the road repair work</source>
        <translation>例: 道路補修工事の入札</translation>
    </message>
    <message>
        <source>Destination</source>
        <translation>宛先</translation>
    </message>
    <message>
        <source>Custodian (approver)</source>
        <translation>保管責任者（承認者）</translation>
    </message>
    <message>
        <source>Return date</source>
        <translation>返却予定日</translation>
    </message>
    <message>
        <source>e.g. 2026-12-01 (empty: no due date)</source>
        <translation>例: 2026-12-01（空欄: 期限なし）</translation>
    </message>
    <message>
        <source>Return time</source>
        <translation>返却予定時刻</translation>
    </message>
    <message>
        <source>Record the lending</source>
        <translation>貸出を記録</translation>
    </message>
    <message>
        <source>Lend a card</source>
        <translation>貸出</translation>
    </message>
    <message>
        <source>&amp;Borrower</source>
        <translation>使用者(&amp;B)</translation>
    </message>
    <message>
        <source>&amp;Subject (required)</source>
        <translation>件名・必須(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Destination</source>
        <translation>宛先(&amp;D)</translation>
    </message>
    <message>
        <source>Custodian (&amp;approver)</source>
        <translation>保管責任者(&amp;A)</translation>
    </message>
    <message>
        <source>Return &amp;due</source>
        <translation>返却期限(&amp;U)</translation>
    </message>
    <message>
        <source>Note on the return</source>
        <translation>返却時のメモ</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>任意</translation>
    </message>
    <message>
        <source>Record the return of the card</source>
        <translation>返却を記録</translation>
    </message>
    <message>
        <source>Return the card chosen above</source>
        <translation>返却（上で選んだカード）</translation>
    </message>
    <message>
        <source>&amp;Note</source>
        <translation>メモ(&amp;N)</translation>
    </message>
    <message>
        <source>Month</source>
        <translation>月</translation>
    </message>
    <message>
        <source>Card shown</source>
        <translation>表示するカード</translation>
    </message>
    <message>
        <source>&amp;Month</source>
        <translation>月(&amp;M)</translation>
    </message>
    <message>
        <source>C&amp;ard</source>
        <translation>カード(&amp;R)</translation>
    </message>
    <message>
        <source>Ledger records</source>
        <translation>貸出管理簿の記録</translation>
    </message>
    <message>
        <source>No.</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>Time (Japan)</source>
        <translation>日時（日本時間）</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>種別</translation>
    </message>
    <message>
        <source>Person</source>
        <translation>使用者</translation>
    </message>
    <message>
        <source>Subject / destination</source>
        <translation>件名・宛先</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>内容</translation>
    </message>
    <message>
        <source>No records for this month and card.</source>
        <translation>この月・カードの記録はありません。</translation>
    </message>
    <message>
        <source>Correct the selected record…</source>
        <translation>選んだ記録を訂正…</translation>
    </message>
    <message>
        <source>Export the month (Excel or CSV)…</source>
        <translation>この月を書き出す（Excel・CSV）…</translation>
    </message>
    <message>
        <source>Every card&apos;s records of the month chosen, with the latest hash, to print</source>
        <translation>選んだ月の全カードの記録を、最新の記録のハッシュとともに書き出します（印刷・押印用）</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>記録</translation>
    </message>
    <message>
        <source>Not checked yet.</source>
        <translation>まだ確認していません。</translation>
    </message>
    <message>
        <source>Tamper check</source>
        <translation>改ざんの確認</translation>
    </message>
    <message>
        <source>Hash of the latest record</source>
        <translation>最新の記録のハッシュ</translation>
    </message>
    <message>
        <source>Check for tampering</source>
        <translation>改ざんを確認</translation>
    </message>
    <message>
        <source>&amp;Card to lend or return</source>
        <translation>貸出・返却するカード(&amp;C)</translation>
    </message>
    <message>
        <source>All cards</source>
        <translation>すべてのカード</translation>
    </message>
    <message>
        <source>All months</source>
        <translation>すべての月</translation>
    </message>
    <message>
        <source>%1: in custody</source>
        <translation>%1: 保管中</translation>
    </message>
    <message>
        <source>%1: lent out to %2 since %3</source>
        <translation>%1: 貸出中（%2 さん、%3 から）</translation>
    </message>
    <message>
        <source>, due back %1</source>
        <translation>、期限 %1</translation>
    </message>
    <message>
        <source> (subject: %1)</source>
        <translation>（件名: %1）</translation>
    </message>
    <message>
        <source> — overdue</source>
        <translation> — 期限超過</translation>
    </message>
    <message>
        <source>Lending</source>
        <translation>貸出</translation>
    </message>
    <message>
        <source>Return</source>
        <translation>返却</translation>
    </message>
    <message>
        <source>Use</source>
        <translation>使用</translation>
    </message>
    <message>
        <source>Correction</source>
        <translation>訂正</translation>
    </message>
    <message>
        <source>borrower</source>
        <translation>使用者</translation>
    </message>
    <message>
        <source>subject</source>
        <translation>件名</translation>
    </message>
    <message>
        <source>destination</source>
        <translation>宛先</translation>
    </message>
    <message>
        <source>custodian</source>
        <translation>保管責任者</translation>
    </message>
    <message>
        <source>due</source>
        <translation>返却期限</translation>
    </message>
    <message>
        <source>note</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>approved by %1</source>
        <translation>承認: %1</translation>
    </message>
    <message>
        <source>due %1</source>
        <translation>期限 %1</translation>
    </message>
    <message>
        <source>PIN check</source>
        <translation>PIN確認</translation>
    </message>
    <message>
        <source>PIN change</source>
        <translation>PIN変更</translation>
    </message>
    <message>
        <source>PIN unlock</source>
        <translation>ロック解除</translation>
    </message>
    <message>
        <source>signature test (G14)</source>
        <translation>署名テスト（G14）</translation>
    </message>
    <message>
        <source>S/MIME signature</source>
        <translation>S/MIME署名</translation>
    </message>
    <message>
        <source>succeeded</source>
        <translation>成功</translation>
    </message>
    <message>
        <source>wrong PIN</source>
        <translation>PIN誤り</translation>
    </message>
    <message>
        <source>locked</source>
        <translation>ロック</translation>
    </message>
    <message>
        <source>not sent</source>
        <translation>送信せず</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失敗</translation>
    </message>
    <message>
        <source>card not lent out</source>
        <translation>貸出なし</translation>
    </message>
    <message>
        <source>under lending No.%1</source>
        <translation>貸出 No.%1 の間</translation>
    </message>
    <message>
        <source>returns lending No.%1</source>
        <translation>貸出 No.%1 の返却</translation>
    </message>
    <message>
        <source>corrects No.%1</source>
        <translation>No.%1 の訂正</translation>
    </message>
    <message>
        <source>reason: %1</source>
        <translation>理由: %1</translation>
    </message>
    <message>
        <source>✔ No tampering was found (records checked: %1).</source>
        <translation>✔ 改ざんは見つかりませんでした（%1件）</translation>
    </message>
    <message>
        <source>✖ Record No.%1 does not match: it was changed, or records around it were removed, added or reordered. Contact your IT department.</source>
        <translation>✖ No.%1 の記録が一致しません。この記録が書き換えられたか、前後の記録が削除・追加・並べ替えられています。情報システム担当へ連絡してください。</translation>
    </message>
    <message>
        <source>Recorded: card %1 lent to %2 (No.%3).</source>
        <translation>記録しました: カード %1 を %2 さんに貸し出しました（No.%3）。</translation>
    </message>
    <message>
        <source>Recorded: card %1 returned (No.%2).</source>
        <translation>記録しました: カード %1 が返却されました（No.%2）。</translation>
    </message>
    <message>
        <source>Recorded the correction of No.%1 (No.%2). The original record stays as it was.</source>
        <translation>No.%1 の訂正を記録しました（No.%2）。元の記録はそのまま残ります。</translation>
    </message>
    <message>
        <source>Export the ledger</source>
        <translation>貸出管理簿の書き出し</translation>
    </message>
    <message>
        <source>Excel workbook (*.xlsx);;CSV for Excel (*.csv)</source>
        <translation>Excelブック (*.xlsx);;Excel用CSV (*.csv)</translation>
    </message>
    <message>
        <source>Exported %1 records to %2.</source>
        <translation>%1件の記録を %2 に書き出しました。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>GoSign IC-card certificate client (ndnclient)</source>
        <translation>GoSign ICカード証明書クライアント（ndnclient）</translation>
    </message>
    <message>
        <source>Home</source>
        <translation>ホーム</translation>
    </message>
    <message>
        <source>User info settings</source>
        <translation>ユーザ情報設定</translation>
    </message>
    <message>
        <source>Operation check</source>
        <translation>動作確認</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Certificate tools</source>
        <translation>証明書ツール</translation>
    </message>
    <message>
        <source>Allowed URL list</source>
        <translation>許可URLリスト</translation>
    </message>
    <message>
        <source>Card lending ledger</source>
        <translation>貸出管理簿</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>About</source>
        <translation>バージョン情報</translation>
    </message>
    <message>
        <source>Menu</source>
        <translation>メニュー</translation>
    </message>
    <message>
        <source>User guide</source>
        <translation>取扱説明書</translation>
    </message>
    <message>
        <source>Open the user guide</source>
        <translation>取扱説明書を開く</translation>
    </message>
    <message>
        <source>Card state</source>
        <translation>カードの状態</translation>
    </message>
    <message>
        <source>Unexpected error</source>
        <translation>予期しないエラー</translation>
    </message>
    <message>
        <source>Something unexpected went wrong (%1). The program goes on; the details are in the log. Save a report for the helpdesk?</source>
        <translation>予期しないエラーが起きました（%1）。このまま使い続けられます。詳しい内容はログに記録しました。ヘルプデスク向けの報告を保存しますか？</translation>
    </message>
    <message>
        <source>The user guide could not be opened. It is the file %1; open it in a web browser, or ask the helpdesk.</source>
        <translation>取扱説明書を開けませんでした。ファイル %1 をWebブラウザーで開くか、ヘルプデスクにお問い合わせください。</translation>
    </message>
    <message>
        <source>%1 cards inserted: choose the card to use</source>
        <translation>カードが%1枚差し込まれています。使うカードを選んでください</translation>
    </message>
    <message>
        <source>Demo card</source>
        <translation>デモ用カード</translation>
    </message>
    <message>
        <source>Demo: renewed card</source>
        <translation>デモ: 更新後のカード</translation>
    </message>
    <message>
        <source>Demo: pull the card out</source>
        <translation>デモ: カードを抜く</translation>
    </message>
    <message>
        <source>Demo: insert the card</source>
        <translation>デモ: カードを差し込む</translation>
    </message>
    <message>
        <source>Demo: pull the renewed card out</source>
        <translation>デモ: 更新後のカードを抜く</translation>
    </message>
    <message>
        <source>Demo: insert the renewed card</source>
        <translation>デモ: 更新後のカードを差し込む</translation>
    </message>
    <message>
        <source>Demo mode</source>
        <translation>デモモード</translation>
    </message>
</context>
<context>
    <name>PinPage</name>
    <message>
        <source>PIN of the IC card</source>
        <translation>ICカードのPIN</translation>
    </message>
    <message>
        <source>Check, change or unlock the PIN of your GoSign IC card. This program never saves the PIN, and nobody can look it up.</source>
        <translation>GoSign ICカードのPINの確認・変更・ロック解除を行います。PINはこのソフトには保存されず、誰にも調べることができません。</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>対象のカード</translation>
    </message>
    <message>
        <source>PIN tries left: reading…</source>
        <translation>PINの残り回数: 読み取り中…</translation>
    </message>
    <message>
        <source>PIN tries left</source>
        <translation>PINの残り回数</translation>
    </message>
    <message>
        <source>Go to Unlock</source>
        <translation>ロック解除へ</translation>
    </message>
    <message>
        <source>PIN operations</source>
        <translation>PINの操作</translation>
    </message>
    <message>
        <source>Verify</source>
        <translation>確認</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>変更</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>ロック解除</translation>
    </message>
    <message>
        <source>%1 to %2 half-width letters or digits (0-9, A-Z, a-z)</source>
        <translation>%1～%2文字の半角英数字（0-9、A-Z、a-z）</translation>
    </message>
    <message>
        <source>Check that you remember the PIN correctly. A wrong PIN uses up one try.</source>
        <translation>PINを正しく覚えているか確認します。間違えると残り回数が1回減ります。</translation>
    </message>
    <message>
        <source>Enter the current PIN, then the new PIN twice. A wrong current PIN uses up one try.</source>
        <translation>現在のPINを入力し、続けて新しいPINを2回入力してください。現在のPINを間違えると、残り回数が1回減ります。</translation>
    </message>
    <message>
        <source>&amp;PIN</source>
        <translation>PIN(&amp;P)</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Check the PIN</source>
        <translation>PINを確認</translation>
    </message>
    <message>
        <source>&amp;Current PIN</source>
        <translation>現在のPIN(&amp;C)</translation>
    </message>
    <message>
        <source>Current PIN</source>
        <translation>現在のPIN</translation>
    </message>
    <message>
        <source>&amp;New PIN</source>
        <translation>新しいPIN(&amp;N)</translation>
    </message>
    <message>
        <source>New PIN</source>
        <translation>新しいPIN</translation>
    </message>
    <message>
        <source>New PIN &amp;again</source>
        <translation>新しいPIN（確認用）(&amp;A)</translation>
    </message>
    <message>
        <source>New PIN again</source>
        <translation>新しいPIN（確認用）</translation>
    </message>
    <message>
        <source>Change the PIN</source>
        <translation>PINを変更</translation>
    </message>
    <message>
        <source>Unlock-code tries left: reading…</source>
        <translation>ロック解除コードの残り回数: 読み取り中…</translation>
    </message>
    <message>
        <source>Unlock-code tries left</source>
        <translation>ロック解除コードの残り回数</translation>
    </message>
    <message>
        <source>If the PIN is locked, call the helpdesk for an unlock code (8 digits) and set a new PIN here. Nobody can look up the old PIN.</source>
        <translation>PINがロックされた場合は、ヘルプデスクに連絡してロック解除コード（8桁）を受け取り、ここで新しいPINを設定してください。以前のPINは誰にも調べられません。</translation>
    </message>
    <message>
        <source>&amp;Unlock code (8 digits)</source>
        <translation>ロック解除コード（8桁）(&amp;U)</translation>
    </message>
    <message>
        <source>Unlock code</source>
        <translation>ロック解除コード</translation>
    </message>
    <message>
        <source>The %1 digits the helpdesk gave you</source>
        <translation>ヘルプデスクから伝えられた%1桁の数字</translation>
    </message>
    <message>
        <source>Unlock and set the new PIN</source>
        <translation>ロックを解除して新しいPINを設定</translation>
    </message>
    <message>
        <source>Only one try is left now, so it was not sent to the card and no try was used. Enter it again; you will be asked to confirm before it is sent.</source>
        <translation>残り回数があと1回になっていたため、入力した内容はまだカードに送っていません。残り回数は減っていません。もう一度入力してください。送る前に確認のメッセージが表示されます。</translation>
    </message>
    <message>
        <source>The PIN was wrong, and no tries are left, so the PIN is now locked. What to do now is shown above.</source>
        <translation>PINが違っていたため、残り回数が0回になり、PINがロックされました。これからの手順は上に表示しています。</translation>
    </message>
    <message>
        <source>PIN tries left: unknown</source>
        <translation>PINの残り回数: 不明</translation>
    </message>
    <message>
        <source>PIN tries left: %1 of %2</source>
        <translation>PINの残り回数: %1回（最大%2回）</translation>
    </message>
    <message>
        <source>Unlock-code tries left: unknown</source>
        <translation>ロック解除コードの残り回数: 不明</translation>
    </message>
    <message>
        <source>Unlock-code tries left: %1 of %2</source>
        <translation>ロック解除コードの残り回数: %1回（最大%2回）</translation>
    </message>
    <message>
        <source>Card: not read yet</source>
        <translation>対象のカード: まだ確認できていません</translation>
    </message>
    <message>
        <source>The tries left have not been read from the card, so nothing can be entered yet. Check that the card is inserted; the page reads them again as soon as it is.</source>
        <translation>カードから残り回数を読み取れていないため、まだ入力できません。カードが差し込まれているか確認してください。差し込まれるとすぐに読み直します。</translation>
    </message>
    <message>
        <source>Only one PIN try is left. If the next PIN is wrong, the card will be locked. If you are not sure of your PIN, do not enter it: ask the helpdesk first. You will be asked to confirm before the PIN is sent.</source>
        <translation>PINの残り回数はあと1回です。間違えるとカードがロックされます。PINが分からないときは入力せず、ヘルプデスクにご相談ください。PINを送る前に、もう一度確認のメッセージが表示されます。</translation>
    </message>
    <message>
        <source>The two new PINs do not match. Enter the new PIN twice again. It has not been sent to the card, so no try was used.</source>
        <translation>2回入力した新しいPINが一致しません。新しいPINをもう一度2回入力してください。まだカードに送っていないので、残り回数は減っていません。</translation>
    </message>
    <message>
        <source>The unlock code has not been sent to the card, so no try was used.</source>
        <translation>ロック解除コードはまだカードに送っていないので、残り回数は減っていません。</translation>
    </message>
    <message>
        <source>The PIN has not been sent to the card, so no try was used.</source>
        <translation>PINはまだカードに送っていないので、残り回数は減っていません。</translation>
    </message>
    <message>
        <source>Caution: only %1 PIN tries are left. After %1 more wrong PINs the card will be locked. If you are not sure of your PIN, ask the helpdesk first.</source>
        <translation>注意: PINの残り回数はあと%1回です。あと%1回間違えるとカードがロックされます。PINに自信がない場合は、先にヘルプデスクにご相談ください。</translation>
    </message>
    <message>
        <source>The card was changed, so what you typed was cleared. It was not sent to any card, so no try was used. Check the card named above and enter it again.</source>
        <translation>カードが差し替えられたため、入力した内容を消しました。どのカードにも送っていないので、残り回数は減っていません。上に表示したカードを確かめて、もう一度入力してください。</translation>
    </message>
    <message>
        <source>This card can no longer be used, so its PIN cannot be used here.</source>
        <translation>このカードは使えなくなったため、PINの確認や変更はできません。</translation>
    </message>
    <message>
        <source>No unlock-code tries are left, so this card cannot be unlocked.</source>
        <translation>ロック解除コードの残り回数が0回のため、このカードのロックは解除できません。</translation>
    </message>
    <message>
        <source>The PIN is locked, so it cannot be checked. Unlock it on the Unlock tab with the unlock code from the helpdesk.</source>
        <translation>PINがロックされているため、確認できません。ヘルプデスクからロック解除コードを受け取り、「ロック解除」タブでロックを解除してください。</translation>
    </message>
    <message>
        <source>The PIN is locked, so it cannot be changed. Unlock it on the Unlock tab with the unlock code from the helpdesk; you set a new PIN there.</source>
        <translation>PINがロックされているため、変更できません。ヘルプデスクからロック解除コードを受け取り、「ロック解除」タブでロックを解除してください。新しいPINもそこで設定します。</translation>
    </message>
    <message>
        <source>Only one unlock-code try is left. If the code is wrong, the card can never be used again. Check the code with the helpdesk; you will be asked to confirm before it is sent.</source>
        <translation>ロック解除コードの残り回数はあと1回です。間違えるとカードは二度と使えなくなります。ヘルプデスクにコードをご確認ください。送る前に確認のメッセージが表示されます。</translation>
    </message>
    <message>
        <source>Caution: only %1 unlock-code tries are left. When none are left, the card can never be used again. Check the code with the helpdesk before entering it.</source>
        <translation>注意: ロック解除コードの残り回数はあと%1回です。0回になるとカードは二度と使えなくなります。入力する前にヘルプデスクにコードをご確認ください。</translation>
    </message>
    <message>
        <source>Only one unlock-code try is left. If this code is wrong, the card can never be used again and a new card will be needed. Send the unlock code now?</source>
        <translation>ロック解除コードの残り回数はあと1回です。このコードが違っていると、カードは二度と使えなくなり、カードの再発行が必要になります。ロック解除コードを送信しますか？</translation>
    </message>
    <message>
        <source>Only one PIN try is left. If this PIN is wrong, the card will be locked and you will need an unlock code from the helpdesk. Send the PIN now?</source>
        <translation>PINの残り回数はあと1回です。このPINが違っていると、カードがロックされ、ヘルプデスクからロック解除コードを受け取る必要があります。PINを送信しますか？</translation>
    </message>
    <message>
        <source>Last try</source>
        <translation>残り1回の確認</translation>
    </message>
    <message>
        <source>Read the tries left again</source>
        <translation>残り回数を読み直す</translation>
    </message>
    <message>
        <source>Read the card again</source>
        <translation>カードを読み直す</translation>
    </message>
    <message>
        <source>The PIN is wrong. One try was used up.</source>
        <translation>PINが違います。残り回数が1回減りました。</translation>
    </message>
    <message>
        <source>The current PIN is wrong, so the PIN was not changed. One try was used up.</source>
        <translation>現在のPINが違うため、PINは変更していません。残り回数が1回減りました。</translation>
    </message>
    <message>
        <source>The unlock code is wrong. One unlock-code try was used up. Please check the code with the helpdesk again.</source>
        <translation>ロック解除コードが違います。ロック解除コードの残り回数が1回減りました。ヘルプデスクにコードをもう一度ご確認ください。</translation>
    </message>
    <message>
        <source>The unlock code was wrong, and no unlock-code tries are left. What to do now is shown above.</source>
        <translation>ロック解除コードが違っていたため、ロック解除コードの残り回数が0回になりました。これからの手順は上に表示しています。</translation>
    </message>
    <message>
        <source>No unlock-code tries were left, so the code was not sent to the card. What to do now is shown above.</source>
        <translation>ロック解除コードの残り回数がすでに0回だったため、コードはカードに送っていません。これからの手順は上に表示しています。</translation>
    </message>
    <message>
        <source>This card can no longer be used, so the PIN you entered was not sent to it. What to do now is shown above.</source>
        <translation>このカードはもう使えないため、入力したPINはカードに送っていません。これからの手順は上に表示しています。</translation>
    </message>
    <message>
        <source>The PIN became locked after this page read the tries left (for example, another program used them up), so the PIN you entered was not sent to the card. What to do now is shown above.</source>
        <translation>この画面で残り回数を読み取ったあと、ほかのソフトなどで残りの回数が使われ、PINがロックされました。入力したPINはカードに送っていません。これからの手順は上に表示しています。</translation>
    </message>
    <message>
        <source>The PIN is correct.</source>
        <translation>PINは正しいです。</translation>
    </message>
    <message>
        <source>The PIN has been changed. Use the new PIN from now on.</source>
        <translation>PINを変更しました。今後は新しいPINをお使いください。</translation>
    </message>
    <message>
        <source>The card is unlocked and the new PIN is set. Use the new PIN from now on.</source>
        <translation>ロックを解除し、新しいPINを設定しました。今後は新しいPINをお使いください。</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <source>Settings</source>
        <translation>設定</translation>
    </message>
    <message>
        <source>Signature verification method</source>
        <translation>署名検証方式</translation>
    </message>
    <message>
        <source>LDAP method</source>
        <translation>LDAP方式</translation>
    </message>
    <message>
        <source>Multi-trust method</source>
        <translation>マルチトラスト方式</translation>
    </message>
    <message>
        <source>The certificate is checked against the CA&apos;s revocation lists, fetched over LDAP. The network must let LDAP through to the CA&apos;s repository.</source>
        <translation>認証局の失効リストをLDAPで取得して、証明書を確認します。ネットワークで認証局のリポジトリへのLDAPの通信が許可されている必要があります。</translation>
    </message>
    <message>
        <source>The e-bidding system checks the certificate itself; this PC does not use LDAP. LDAP errors (G04) can then be ignored.</source>
        <translation>電子入札システムの側で証明書を確認するため、このパソコンはLDAPを使いません。LDAPのエラー（G04）は無視してかまいません。</translation>
    </message>
    <message>
        <source>LDAP repository</source>
        <translation>LDAPリポジトリ</translation>
    </message>
    <message>
        <source>LDAP repository URL</source>
        <translation>LDAPリポジトリのURL</translation>
    </message>
    <message>
        <source>Connection time limit (seconds)</source>
        <translation>接続の待ち時間（秒）</translation>
    </message>
    <message>
        <source>Answer time limit (seconds)</source>
        <translation>応答の待ち時間（秒）</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>Proxy</source>
        <translation>プロキシ</translation>
    </message>
    <message>
        <source>Proxy URL</source>
        <translation>プロキシのURL</translation>
    </message>
    <message>
        <source>Proxy password</source>
        <translation>プロキシのパスワード</translation>
    </message>
    <message>
        <source>Store the password</source>
        <translation>パスワードを保存</translation>
    </message>
    <message>
        <source>Remove the stored password</source>
        <translation>保存したパスワードを削除</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>パスワード</translation>
    </message>
    <message>
        <source>The password is kept in Windows&apos; credential manager, never in the settings file.</source>
        <translation>パスワードは Windows の資格情報マネージャーに保存し、設定ファイルには書きません。</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Save the settings</source>
        <translation>設定を保存</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>表示言語</translation>
    </message>
    <message>
        <source>Switch the language</source>
        <translation>言語を切り替える</translation>
    </message>
    <message>
        <source>Nothing was changed.</source>
        <translation>変更された項目はありません。</translation>
    </message>
    <message>
        <source>The settings are saved.</source>
        <translation>設定を保存しました。</translation>
    </message>
    <message>
        <source>The language changes as soon as the running PIN command or operation check ends.</source>
        <translation>実行中のPINの操作または動作確認が終わりしだい、言語が切り替わります。</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>保存していない変更</translation>
    </message>
    <message>
        <source>Some settings on this page are changed but not saved. Switching the language rebuilds the window and drops those changes. Switch anyway?</source>
        <translation>この画面に、変更したまま保存していない設定があります。言語を切り替えると画面を作り直すため、その変更は失われます。切り替えますか？</translation>
    </message>
    <message>
        <source>Enter the proxy URL and press Save first, then store its password.</source>
        <translation>先にプロキシの URL を入力して「保存」を押し、そのあとでパスワードを保存してください。</translation>
    </message>
    <message>
        <source>Remove the stored password?</source>
        <translation>保存したパスワードを削除しますか？</translation>
    </message>
    <message>
        <source>Remove the stored password of the proxy %1? Until it is stored again, the connections through the proxy may be refused.</source>
        <translation>プロキシ %1 の保存したパスワードを削除しますか？ もう一度保存するまで、プロキシを通る接続が断られることがあります。</translation>
    </message>
</context>
<context>
    <name>SignatureTestForm</name>
    <message>
        <source>Also run the si&amp;gnature test (G14): it uses the PIN</source>
        <translation>署名テスト（G14）も行う(&amp;G)：PINを使います</translation>
    </message>
    <message>
        <source>PIN for the signature test</source>
        <translation>署名テスト用のPIN</translation>
    </message>
    <message>
        <source>Card for the signature test</source>
        <translation>署名テストに使うカード</translation>
    </message>
    <message>
        <source>P&amp;IN</source>
        <translation>PIN(&amp;I)</translation>
    </message>
    <message>
        <source>Reading the PIN&apos;s tries…</source>
        <translation>PINの残り回数を読んでいます…</translation>
    </message>
    <message>
        <source>The PIN&apos;s tries are not known yet: insert the card.</source>
        <translation>PINの残り回数がまだ分かりません。カードを差し込んでください。</translation>
    </message>
    <message>
        <source>The PIN is locked: unlock it on the PIN page first.</source>
        <translation>PINがロックされています。先に「PIN」の画面でロックを解除してください。</translation>
    </message>
    <message>
        <source>▲ Tries left: %1. If you are not sure of the PIN, do not run it.</source>
        <translation>▲ PINの残りは %1 回です。PINに自信がなければ実行しないでください。</translation>
    </message>
    <message>
        <source>PIN tries left: %1 of %2</source>
        <translation>PINの残り回数: %1 回（最大 %2 回）</translation>
    </message>
    <message>
        <source>Type the PIN for the signature test.</source>
        <translation>署名テスト用のPINを入力してください。</translation>
    </message>
    <message>
        <source>The card changed, so the PIN was cleared and nothing was sent. Check the card named above and type the PIN again.</source>
        <translation>カードが変わったため、入力したPINを消しました。カードには何も送っていません。上に表示したカードを確かめて、もう一度PINを入力してください。</translation>
    </message>
    <message>
        <source>Last PIN try</source>
        <translation>PINの残りが1回です</translation>
    </message>
    <message>
        <source>Only one PIN try is left. A wrong PIN now locks the card, and only the helpdesk&apos;s unlock code opens it again. Run the signature test anyway?</source>
        <translation>PINの残りは1回です。ここで間違えるとカードがロックされ、ヘルプデスクのロック解除コードがないと使えなくなります。それでも署名テストを行いますか？</translation>
    </message>
</context>
<context>
    <name>UrlsPage</name>
    <message>
        <source>Allowed URL list</source>
        <translation>許可URLリスト</translation>
    </message>
    <message>
        <source>The sites (such as the e-bidding system) that may use the IC card. Enter each site as https://www.example.jp, or paste the address from the browser: the site&apos;s part of it is kept.</source>
        <translation>ICカードを使ってよいサイト（電子入札システムなど）の一覧です。https://www.example.jp のように入力するか、ブラウザーのアドレス欄からそのまま貼り付けてください（サイト名までの部分を登録します）。</translation>
    </message>
    <message>
        <source>Allowed sites</source>
        <translation>許可するサイト</translation>
    </message>
    <message>
        <source>Site to add</source>
        <translation>追加するサイト</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>追加</translation>
    </message>
    <message>
        <source>Add the site</source>
        <translation>サイトを追加</translation>
    </message>
    <message>
        <source>Remove the selected site</source>
        <translation>選んだサイトを削除</translation>
    </message>
    <message>
        <source>&amp;Site to add</source>
        <translation>追加するサイト(&amp;S)</translation>
    </message>
    <message>
        <source>%1 was added.</source>
        <translation>%1 を追加しました。</translation>
    </message>
    <message>
        <source>%1 is already on the list.</source>
        <translation>%1 はすでに登録されています。</translation>
    </message>
    <message>
        <source>Add the site?</source>
        <translation>サイトを追加しますか？</translation>
    </message>
    <message>
        <source>%1 is the address of a page. The list holds sites, so this would be saved:</source>
        <translation>%1 はページのアドレスです。許可URLリストにはサイトを登録するので、次のように保存します:</translation>
    </message>
    <message>
        <source>Add this site?</source>
        <translation>このサイトを追加しますか？</translation>
    </message>
    <message>
        <source>Nothing was added. Enter the site only, like %1.</source>
        <translation>何も追加していません。%1 のようにサイト名までを入力してください。</translation>
    </message>
    <message>
        <source>Remove the site?</source>
        <translation>サイトを削除しますか？</translation>
    </message>
    <message>
        <source>Remove %1 from the allowed URL list? The IC card can then no longer be used on that site.</source>
        <translation>%1 を許可URLリストから削除しますか？ 削除すると、そのサイトではICカードが使えなくなります。</translation>
    </message>
    <message>
        <source>%1 was removed.</source>
        <translation>%1 を削除しました。</translation>
    </message>
</context>
<context>
    <name>UserInfoPage</name>
    <message>
        <source>User info settings</source>
        <translation>ユーザ情報設定</translation>
    </message>
    <message>
        <source>Register the card number and validity of your GoSign IC card. During a renewal&apos;s switching period (30 days) the old and the new card are both registered.</source>
        <translation>お使いの GoSign ICカードのカード番号と有効期間を登録します。更新の切替期間（30日間）は、新旧両方のカードが登録されます。</translation>
    </message>
    <message>
        <source>Card number</source>
        <translation>カード番号</translation>
    </message>
    <message>
        <source>Valid from</source>
        <translation>有効期間の開始日</translation>
    </message>
    <message>
        <source>Valid to</source>
        <translation>有効期間の終了日</translation>
    </message>
    <message>
        <source>Label</source>
        <translation>メモ</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状態</translation>
    </message>
    <message>
        <source>Registered cards</source>
        <translation>登録済みのカード</translation>
    </message>
    <message>
        <source>Register the inserted card</source>
        <translation>差し込んだカードを登録</translation>
    </message>
    <message>
        <source>Add by hand…</source>
        <translation>手入力で追加…</translation>
    </message>
    <message>
        <source>Edit…</source>
        <translation>編集…</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>削除</translation>
    </message>
    <message>
        <source>In the reader</source>
        <translation>リーダーに挿入中</translation>
    </message>
    <message>
        <source>Switching period until %1</source>
        <translation>切替期間中（%1 まで）</translation>
    </message>
    <message>
        <source>Expired</source>
        <translation>有効期限切れ</translation>
    </message>
    <message>
        <source>Card %1 is registered.</source>
        <translation>カード %1 を登録しました。</translation>
    </message>
    <message>
        <source>Entries whose validity has ended were removed: %1</source>
        <translation>有効期限が切れたカードの登録を削除しました: %1</translation>
    </message>
    <message>
        <source>The card&apos;s entry is saved.</source>
        <translation>カードの登録内容を保存しました。</translation>
    </message>
    <message>
        <source>Remove card %1 from the registered cards?</source>
        <translation>カード %1 を登録から削除しますか？</translation>
    </message>
    <message>
        <source>This is the card in the reader now. Until it is registered again, the operation check reports it as not registered.</source>
        <translation>これは今リーダーに差し込まれているカードです。削除すると、登録し直すまで動作確認で「未登録」と表示されます。</translation>
    </message>
    <message>
        <source>Remove the card?</source>
        <translation>カードを削除しますか？</translation>
    </message>
    <message>
        <source>Card %1&apos;s entry is removed.</source>
        <translation>カード %1 の登録を削除しました。</translation>
    </message>
    <message>
        <source>Remove during the switching period?</source>
        <translation>切替期間中ですが削除しますか？</translation>
    </message>
    <message>
        <source>Remove the entry anyway? Do this only if the old card was lost or can no longer be used.</source>
        <translation>それでも登録を削除しますか？ 古いカードを紛失した場合や使えなくなった場合だけにしてください。</translation>
    </message>
</context>
</TS>
