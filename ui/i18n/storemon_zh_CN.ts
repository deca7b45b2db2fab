<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AddShiftsDialog</name>
    <message>
        <location filename="../widgets/advice_actions.py" line="58"/>
        <source>Add these shifts</source>
        <translation>添加这些班次</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="62"/>
        <source>Draft shifts for %1 (%2). Nothing is saved until you confirm.</source>
        <translation>%1（%2）的班次草稿。确认之前不会保存任何内容。</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="71"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="71"/>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="71"/>
        <source>From</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="71"/>
        <source>To</source>
        <translation>结束</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="71"/>
        <source>Who</source>
        <translation>人员</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="92"/>
        <source>Choose who…</source>
        <translation>选择人员…</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="105"/>
        <source>Cover that is already over is left out: a shift starting before now would rewrite the waits and pressure already recorded.</source>
        <translation>已经过去的补位未列入：早于现在开始的班次会改写已记录的等待时间和压力。</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/advice_actions.py" line="143"/>
        <source>Add %n shift(s)</source>
        <translation>
            <numerusform>添加 %n 个班次</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="143"/>
        <source>Add shifts</source>
        <translation>添加班次</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="146"/>
        <source>Tick at least one shift to add.</source>
        <translation>请至少勾选一个要添加的班次。</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="148"/>
        <source>Choose who works each ticked shift.</source>
        <translation>请为每个勾选的班次选择上班人员。</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="172"/>
        <source>%1 shift(s) added to the roster of %2</source>
        <translation>已将 %1 个班次加入%2的排班</translation>
    </message>
</context>
<context>
    <name>AdviceActions</name>
    <message numerus="yes">
        <location filename="../widgets/advice_actions.py" line="235"/>
        <source>Add these %n shift(s)…</source>
        <translation>
            <numerusform>添加这 %n 个班次…</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="236"/>
        <source>Review the draft shifts, choose who works them, then add them</source>
        <translation>查看班次草稿，选择上班人员，然后添加</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="240"/>
        <source>Call backup for %1–%2</source>
        <translation>呼叫 %1–%2 的应急补位</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="244"/>
        <source>Offer the cover to off-shift colleagues of the store and the region; the first to accept comes</source>
        <translation>向本店及本区域不在班的同事发出补位请求；第一个接受的人前来</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="283"/>
        <source>Sending...</source>
        <translation>正在发送...</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="287"/>
        <source>Sent: waiting for someone to acknowledge</source>
        <translation>已发送：等待有人确认接单</translation>
    </message>
    <message>
        <location filename="../widgets/advice_actions.py" line="293"/>
        <source>Not sent</source>
        <translation>未发送</translation>
    </message>
</context>
<context>
    <name>AlertDetail</name>
    <message>
        <location filename="../widgets/alert_detail.py" line="121"/>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="122"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="123"/>
        <source>Level</source>
        <translation>层级</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="124"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="125"/>
        <source>Raised</source>
        <translation>触发时间</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="126"/>
        <source>Last change</source>
        <translation>最近变更</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="127"/>
        <source>Next step due</source>
        <translation>下一步时限</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="128"/>
        <source>Asked by</source>
        <translation>发起人</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="131"/>
        <source>What the alert says</source>
        <translation>告警内容</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="132"/>
        <source>Timeline</source>
        <translation>时间线</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="148"/>
        <source>Storemon</source>
        <translation>Storemon</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="181"/>
        <source>Covered by %1: they accepted the backup call and are on their way.</source>
        <translation>已由 %1 补位：对方已接受支援呼叫，正在赶来。</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="188"/>
        <source>Nobody has accepted the backup call yet; off-shift colleagues were asked.</source>
        <translation>还没有人接受支援呼叫；已询问不在班的同事。</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="195"/>
        <source>Chain (no store)</source>
        <translation>全连锁（无门店）</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="198"/>
        <source>sensitive: first level skipped</source>
        <translation>敏感：已跳过第一级</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="224"/>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="227"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="240"/>
        <source>sensitive trigger: %1 skipped</source>
        <translation>敏感触发：已跳过%1</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="244"/>
        <source>%1 did not acknowledge in time</source>
        <translation>%1未按时确认接单</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="247"/>
        <source>for %1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="278"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="278"/>
        <source>What</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="278"/>
        <source>Who</source>
        <translation>人员</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="278"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../widgets/alert_detail.py" line="287"/>
        <source>✓ = has seen it in Storemon</source>
        <translation>✓ = 已在 Storemon 中查看</translation>
    </message>
</context>
<context>
    <name>AlertTexts</name>
    <message>
        <location filename="../models/alerts_table.py" line="44"/>
        <source>Critical</source>
        <translation>紧急</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="45"/>
        <source>Warning</source>
        <translation>警告</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="46"/>
        <source>Info</source>
        <translation>提示</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="49"/>
        <source>Open</source>
        <translation>待接单</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="50"/>
        <location filename="../models/alerts_table.py" line="68"/>
        <source>Acknowledged</source>
        <translation>已接单</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="51"/>
        <location filename="../models/alerts_table.py" line="73"/>
        <source>Snoozed</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="52"/>
        <location filename="../models/alerts_table.py" line="70"/>
        <source>Resolved</source>
        <translation>已解决</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="55"/>
        <source>Frontline staff</source>
        <translation>一线员工</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="56"/>
        <source>Shift lead / store manager</source>
        <translation>值班主管 / 店长</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="57"/>
        <source>Operations supervisor</source>
        <translation>运营督导</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="58"/>
        <source>Service director</source>
        <translation>服务总监</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="59"/>
        <source>Executive</source>
        <translation>高管</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="180"/>
        <source>Owner</source>
        <translation>负责人</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="62"/>
        <source>Raised</source>
        <translation>已触发</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="63"/>
        <source>Raised again</source>
        <translation>再次触发</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="64"/>
        <source>No answer in time</source>
        <translation>超时未响应</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="65"/>
        <source>Escalated</source>
        <translation>已升级</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="66"/>
        <source>Chain restarted</source>
        <translation>重新升级</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="67"/>
        <source>Nobody answered</source>
        <translation>无人响应</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="69"/>
        <source>Reminder</source>
        <translation>提醒</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="71"/>
        <source>Handed over</source>
        <translation>已转交</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="72"/>
        <source>Comment</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="74"/>
        <source>Snooze ended</source>
        <translation>暂停结束</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="75"/>
        <source>Nobody to page</source>
        <translation>无人可通知</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="78"/>
        <source>Paged</source>
        <translation>已通知</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="79"/>
        <source>Kept informed</source>
        <translation>已知会</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="80"/>
        <source>Reminded</source>
        <translation>已提醒</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="81"/>
        <source>Told it is taken</source>
        <translation>已告知有人接单</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="82"/>
        <source>Told it is resolved</source>
        <translation>已告知已解决</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="83"/>
        <source>Told it was handed over</source>
        <translation>已告知已转交</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="84"/>
        <source>Asked to cover</source>
        <translation>已请求补位</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="85"/>
        <source>Told it is covered</source>
        <translation>已告知有人补位</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="140"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="143"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="146"/>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="148"/>
        <source>%1 d %2 h</source>
        <translation>%1 天 %2 小时</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="175"/>
        <source>Severity</source>
        <translation>严重程度</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="176"/>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="177"/>
        <source>Alert</source>
        <translation>告警</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="178"/>
        <source>Level</source>
        <translation>层级</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="179"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="181"/>
        <source>Age</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="275"/>
        <source>Level %1 of the escalation chain: %2</source>
        <translation>升级链第 %1 级：%2</translation>
    </message>
    <message>
        <location filename="../models/alerts_table.py" line="287"/>
        <source>Chain</source>
        <translation>全连锁</translation>
    </message>
</context>
<context>
    <name>AlertsView</name>
    <message>
        <location filename="../views/alerts.py" line="111"/>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="248"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="248"/>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="248"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="248"/>
        <source>Severity</source>
        <translation>严重程度</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="255"/>
        <source>Active</source>
        <translation>未解决</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="256"/>
        <source>Open (nobody has it)</source>
        <translation>待接单（无人接手）</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="257"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="258"/>
        <source>Resolved</source>
        <translation>已解决</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="263"/>
        <source>All kinds</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="267"/>
        <source>Any severity</source>
        <translation>全部严重程度</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="270"/>
        <source>Search alerts, stores, people…</source>
        <translation>搜索告警、门店、人员…</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="271"/>
        <source>Only mine</source>
        <translation>只看我的</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="273"/>
        <source>Alerts that page you now, that you took, or that you raised; the rest are hidden</source>
        <translation>只显示正在通知你、由你接单或由你发起的告警，其余隐藏</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="275"/>
        <source>No alerts here. Quiet is good.</source>
        <translation>暂无告警。平安无事。</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="277"/>
        <source>Select an alert to see what happened, who was told, and to act on it.</source>
        <translation>选择一条告警，查看经过、通知了谁，并进行处理。</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="279"/>
        <location filename="../views/alerts.py" line="280"/>
        <source>Accept cover</source>
        <translation>接受补位</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="281"/>
        <source>Acknowledge</source>
        <translation>确认接单</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="283"/>
        <source>Take the alert: escalation stops, you get reminders until it is resolved</source>
        <translation>接手此告警：停止升级，解决前会持续提醒你</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="285"/>
        <source>Resolve…</source>
        <translation>解决…</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="286"/>
        <source>Comment…</source>
        <translation>备注…</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="287"/>
        <source>Reassign…</source>
        <translation>转交…</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="288"/>
        <source>Snooze…</source>
        <translation>暂停…</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="289"/>
        <location filename="../views/alerts.py" line="290"/>
        <location filename="../views/alerts.py" line="291"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="292"/>
        <source>Hand the alert to:</source>
        <translation>转交给：</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="293"/>
        <source>Hand over</source>
        <translation>转交</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="294"/>
        <source>Hold escalation for:</source>
        <translation>暂停升级：</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="296"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="313"/>
        <source>All my stores</source>
        <translation>我的全部门店</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="418"/>
        <source>Cannot load the alerts: %1. Trying again in a few seconds.</source>
        <translation>无法加载告警：%1。几秒后自动重试。</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="484"/>
        <source>1 alert</source>
        <translation>1 条告警</translation>
    </message>
    <message numerus="yes">
        <location filename="../views/alerts.py" line="484"/>
        <source>%n alerts</source>
        <translation>
            <numerusform>%n 条告警</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="486"/>
        <source>%1 of %2 shown</source>
        <translation>显示 %1 / %2 条</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="547"/>
        <source>You are asked to cover at %1 (since %2). Can you step in now?</source>
        <translation>请求你到 %1 补位（%2 起）。你现在能来吗？</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="554"/>
        <source>(1 more request)</source>
        <translation>（另有 1 个请求）</translation>
    </message>
    <message numerus="yes">
        <location filename="../views/alerts.py" line="554"/>
        <source>(%n more requests)</source>
        <translation>
            <numerusform>（另有 %n 个请求）</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="577"/>
        <source>How was it resolved? (optional, everyone told so far reads it)</source>
        <translation>如何解决的？（选填，已通知的人都会看到）</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="579"/>
        <source>Resolve alert</source>
        <translation>解决告警</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="581"/>
        <source>Comment for the timeline:</source>
        <translation>写入时间线的备注：</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="582"/>
        <source>Add comment</source>
        <translation>添加备注</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="591"/>
        <source>Loading people…</source>
        <translation>正在加载人员…</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="611"/>
        <source>Nobody else can take this alert</source>
        <translation>没有其他人可以接手</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="625"/>
        <source>Write the comment first.</source>
        <translation>请先填写备注。</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="628"/>
        <source>Comment added.</source>
        <translation>备注已添加。</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="632"/>
        <source>Alert resolved.</source>
        <translation>告警已解决。</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="643"/>
        <source>Handed over to %1; they have been paged.</source>
        <translation>已转交给 %1，并已通知对方。</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="650"/>
        <source>You have it: escalation stopped. Resolve it when it is over.</source>
        <translation>已由你接单：升级已停止。处理完毕后请标记解决。</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="657"/>
        <source>Snoozed for %1 min.</source>
        <translation>已暂停 %1 分钟。</translation>
    </message>
    <message>
        <location filename="../views/alerts.py" line="675"/>
        <source>Thank you: you are covering at %1. Everyone else has been told.</source>
        <translation>谢谢：你将到 %1 补位，其他人已收到通知。</translation>
    </message>
</context>
<context>
    <name>AppContext</name>
    <message>
        <location filename="../context.py" line="57"/>
        <source>Something went wrong; the details are in the log file.</source>
        <translation>出错了，详细信息已记录在日志文件中。</translation>
    </message>
</context>
<context>
    <name>AssignPolicyDialog</name>
    <message>
        <location filename="../views/policies/tiers.py" line="58"/>
        <source>Assign “%1”</source>
        <translation>分配“%1”</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="63"/>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="64"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="65"/>
        <source>Region</source>
        <translation>区域</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="66"/>
        <source>Current policy</source>
        <translation>当前政策</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="67"/>
        <source>Revenue per day</source>
        <translation>日均营业额</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="68"/>
        <source>Staff per shift under “%1”</source>
        <translation>按“%1”每班人数</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="84"/>
        <source>no rule (gap)</source>
        <translation>无规则（空档）</translation>
    </message>
    <message numerus="yes">
        <location filename="../views/policies/tiers.py" line="86"/>
        <source>%n staff</source>
        <translation>
            <numerusform>%n 人</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="92"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="105"/>
        <source>Assign</source>
        <translation>分配</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="114"/>
        <source>Tick the stores that should follow this policy. A store follows one policy at a time: to move a store away, assign it another policy.</source>
        <translation>勾选应执行此政策的门店。每家门店同一时间只执行一项政策：要让门店改用其他政策，请为其分配另一项政策。</translation>
    </message>
</context>
<context>
    <name>AttentionBanner</name>
    <message>
        <location filename="../widgets/attention.py" line="196"/>
        <source>%1 · You are asked to cover at %2: %3 (since %4)</source>
        <translation>%1 · 请你到 %2 补位：%3（自 %4 起）</translation>
    </message>
    <message>
        <location filename="../widgets/attention.py" line="202"/>
        <source>Accept cover</source>
        <translation>接受补位</translation>
    </message>
    <message>
        <location filename="../widgets/attention.py" line="203"/>
        <source>Say you are coming; everyone else asked is told</source>
        <translation>告诉大家你会来；其他被询问的人会收到通知</translation>
    </message>
    <message>
        <location filename="../widgets/attention.py" line="205"/>
        <source>%1 · %2: %3 (since %4)</source>
        <translation>%1 · %2：%3（自 %4 起）</translation>
    </message>
    <message>
        <location filename="../widgets/attention.py" line="206"/>
        <source>Acknowledge</source>
        <translation>确认接单</translation>
    </message>
    <message>
        <location filename="../widgets/attention.py" line="208"/>
        <source>Take it: escalation stops and the person who asked sees that you have it</source>
        <translation>由你接单：停止升级，求助的人会看到你已接单</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/attention.py" line="213"/>
        <source>+%n more</source>
        <translation>
            <numerusform>另有 %n 条</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/attention.py" line="214"/>
        <source>Open</source>
        <translation>打开</translation>
    </message>
    <message>
        <location filename="../widgets/attention.py" line="215"/>
        <source>Show it on the Alerts screen</source>
        <translation>在告警页面中查看</translation>
    </message>
</context>
<context>
    <name>AuditTableModel</name>
    <message>
        <location filename="../models/audit_table.py" line="45"/>
        <source>Time (local)</source>
        <translation>时间（本地）</translation>
    </message>
    <message>
        <location filename="../models/audit_table.py" line="47"/>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../models/audit_table.py" line="48"/>
        <source>Computer</source>
        <translation>电脑</translation>
    </message>
    <message>
        <location filename="../models/audit_table.py" line="49"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../models/audit_table.py" line="50"/>
        <source>Subject</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../models/audit_table.py" line="51"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../models/audit_table.py" line="32"/>
        <source>An imported file: recorded as an import, outside the hash chain</source>
        <translation>导入的文件：作为导入记录，不在哈希链中</translation>
    </message>
</context>
<context>
    <name>AuditView</name>
    <message>
        <location filename="../views/audit.py" line="69"/>
        <source>Audit</source>
        <translation>审计</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="80"/>
        <source>The audit log is for head office only (service director, executive, administrator). It records every sign-in, setting change, policy change, alert action and import of the whole chain. Ask head office if you need an entry checked.</source>
        <translation>审计日志仅供总部查看（服务总监、高管、管理员）。它记录整个连锁的每次登录、设置变更、政策变更、告警处理和导入。如需核查某条记录，请联系总部。</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="106"/>
        <source>Any user</source>
        <translation>任意用户</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="110"/>
        <source>Text in subject or details</source>
        <translation>对象或详情中的文字</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="117"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="118"/>
        <location filename="../views/audit.py" line="152"/>
        <source>User</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="119"/>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="127"/>
        <source>Verify chain</source>
        <translation>校验哈希链</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="129"/>
        <source>Check every entry&apos;s hash: a changed, removed or inserted entry is named here</source>
        <translation>校验每条记录的哈希：被修改、删除或插入的记录会在此列出</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="132"/>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="133"/>
        <source>Save the listed entries as CSV or Excel</source>
        <translation>将列出的记录保存为 CSV 或 Excel</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="142"/>
        <source>Audit log</source>
        <translation>审计日志</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="143"/>
        <source>No audit entries match these filters.</source>
        <translation>没有符合筛选条件的审计记录。</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="178"/>
        <source>All actions</source>
        <translation>全部操作</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="180"/>
        <source>Sign-ins</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="181"/>
        <source>Setting changes</source>
        <translation>设置变更</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="182"/>
        <source>Policy changes</source>
        <translation>政策变更</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="183"/>
        <source>Alert actions</source>
        <translation>告警处理</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="184"/>
        <source>Store calls</source>
        <translation>门店呼叫</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="185"/>
        <source>Imports</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="147"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="151"/>
        <source>Time (local)</source>
        <translation>时间（本地）</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="153"/>
        <source>Computer</source>
        <translation>电脑</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="154"/>
        <source>Subject</source>
        <translation>对象</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="155"/>
        <location filename="../views/audit.py" line="322"/>
        <source>Entry</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="156"/>
        <location filename="../views/audit.py" line="322"/>
        <source>Hash</source>
        <translation>哈希</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="157"/>
        <location filename="../views/audit.py" line="322"/>
        <source>Previous hash</source>
        <translation>上一条哈希</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="159"/>
        <source>Select an entry to see everything it recorded.</source>
        <translation>选择一条记录，查看其全部内容。</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="241"/>
        <source>Showing the newest %1 entries; narrow the filters to see the rest.</source>
        <translation>显示最新的 %1 条记录；缩小筛选范围可查看其余记录。</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="244"/>
        <source>Entries: %1</source>
        <translation>记录：%1 条</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="260"/>
        <source>(an import: not in the hash chain)</source>
        <translation>（导入记录：不在哈希链中）</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="280"/>
        <source>Checking the chain…</source>
        <translation>正在校验哈希链…</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="298"/>
        <source>Intact: %1 entries</source>
        <translation>完整：%1 条记录</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="301"/>
        <source>Entry %1: %2</source>
        <translation>记录 %1：%2</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="304"/>
        <source>…and %1 more</source>
        <translation>…还有 %1 条</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="306"/>
        <source>Tampering detected: %1 problems in %2 entries</source>
        <translation>发现篡改：%2 条记录中有 %1 处问题</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="315"/>
        <source>Export audit log</source>
        <translation>导出审计日志</translation>
    </message>
    <message>
        <location filename="../views/audit.py" line="330"/>
        <source>Exported %1 entries to %2</source>
        <translation>已导出 %1 条记录到 %2</translation>
    </message>
</context>
<context>
    <name>CallButtons</name>
    <message>
        <location filename="../widgets/call_buttons.py" line="40"/>
        <source>Call backup</source>
        <translation>呼叫支援</translation>
    </message>
    <message>
        <location filename="../widgets/call_buttons.py" line="42"/>
        <source>Manager intervention</source>
        <translation>上级介入</translation>
    </message>
    <message>
        <location filename="../widgets/call_buttons.py" line="102"/>
        <source>Sending...</source>
        <translation>正在发送...</translation>
    </message>
    <message>
        <location filename="../widgets/call_buttons.py" line="110"/>
        <source>Sent: waiting for someone to acknowledge</source>
        <translation>已发送：等待有人确认接单</translation>
    </message>
    <message>
        <location filename="../widgets/call_buttons.py" line="118"/>
        <source>Not sent</source>
        <translation>未发送</translation>
    </message>
    <message>
        <location filename="../widgets/call_buttons.py" line="154"/>
        <source>Resolved</source>
        <translation>已解决</translation>
    </message>
</context>
<context>
    <name>CallTips</name>
    <message>
        <location filename="../widgets/call_tips.py" line="27"/>
        <source>nobody (no active account at this level for this store)</source>
        <translation>无人（本店在这一级没有有效账号）</translation>
    </message>
    <message>
        <location filename="../widgets/call_tips.py" line="30"/>
        <source>%1, %2</source>
        <translation>%1、%2</translation>
    </message>
    <message>
        <location filename="../widgets/call_tips.py" line="32"/>
        <source>%1 and %2 more</source>
        <translation>%1 等另外 %2 人</translation>
    </message>
    <message>
        <location filename="../widgets/call_tips.py" line="43"/>
        <source>Asks off-shift staff and shift leads of this store and its region to come in now; the first to accept is assigned.</source>
        <translation>请本店及本区域未在班的员工和值班主管立即前来；第一个接受的人将被指派。</translation>
    </message>
    <message>
        <location filename="../widgets/call_tips.py" line="49"/>
        <source>Asks a manager to step in at the store now.</source>
        <translation>请经理立即到店介入。</translation>
    </message>
    <message>
        <location filename="../widgets/call_tips.py" line="54"/>
        <source>Paged first — level %1, %2: %3.</source>
        <translation>首先呼叫 — 第 %1 级，%2：%3。</translation>
    </message>
    <message>
        <location filename="../widgets/call_tips.py" line="63"/>
        <source>If nobody acknowledges within %1 min — level %2, %3: %4.</source>
        <translation>若 %1 分钟内无人确认 — 第 %2 级，%3：%4。</translation>
    </message>
    <message>
        <location filename="../widgets/call_tips.py" line="71"/>
        <source>Cover offered to: %1.</source>
        <translation>补位邀请发给：%1。</translation>
    </message>
</context>
<context>
    <name>CallWords</name>
    <message>
        <location filename="../widgets/call_words.py" line="23"/>
        <source>%1 is coming, expected %2 (from %3)</source>
        <translation>%1 正在赶来，预计 %2 到达（来自 %3）</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="28"/>
        <source>%1 is coming, expected %2</source>
        <translation>%1 正在赶来，预计 %2 到达</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="35"/>
        <source>Resolved</source>
        <translation>已解决</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="39"/>
        <source>Covered by %1</source>
        <translation>%1 已接受补位</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="43"/>
        <source>Acknowledged by %1 at %2</source>
        <translation>%1 已于 %2 确认</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="44"/>
        <source>Acknowledged by %1</source>
        <translation>%1 已确认</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="48"/>
        <source>Asked 1 person to cover: waiting for an answer</source>
        <translation>已请 1 人补位：等待回复</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="49"/>
        <source>Asked %1 people to cover: waiting for an answer</source>
        <translation>已请 %1 人补位：等待回复</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="51"/>
        <source>Sent to level %1 (%2): waiting</source>
        <translation>已发送至第 %1 级（%2）：等待回复</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="63"/>
        <source>accepted</source>
        <translation>已接受</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="64"/>
        <source>declined</source>
        <translation>已婉拒</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="65"/>
        <source>no longer needed</source>
        <translation>已无需前来</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="72"/>
        <source>%1 of %2</source>
        <translation>%2 的 %1</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="75"/>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <location filename="../widgets/call_words.py" line="76"/>
        <source>Asked to cover: %1</source>
        <translation>已请补位：%1</translation>
    </message>
</context>
<context>
    <name>ChannelsEditor</name>
    <message>
        <location filename="../widgets/channels_editor.py" line="143"/>
        <source>Add channel</source>
        <translation>添加渠道</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="145"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="156"/>
        <source>e.g. Ops group robot</source>
        <translation>例如：运营群机器人</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="162"/>
        <source>On (sends alerts)</source>
        <translation>启用（发送告警）</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="167"/>
        <source>Escalation level %1</source>
        <translation>升级层级 %1</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="172"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="173"/>
        <source>Type</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="175"/>
        <source>Levels it receives</source>
        <translation>接收的层级</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="178"/>
        <source>The chain&apos;s language</source>
        <translation>连锁默认语言</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="181"/>
        <source>Language of its messages</source>
        <translation>消息语言</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="184"/>
        <source>* required</source>
        <translation>* 必填</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="188"/>
        <source>Test recipient (default: the sender address)</source>
        <translation>测试收件人（默认：发件地址）</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="189"/>
        <source>Send test</source>
        <translation>发送测试</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="190"/>
        <source>Send a message labelled as a test over this channel as shown</source>
        <translation>按当前设置通过此渠道发送一条标明为测试的消息</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="208"/>
        <source>No channel yet: add one to send alerts to a group chat or mailbox.</source>
        <translation>还没有渠道：添加一个，即可把告警发送到群聊或邮箱。</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="224"/>
        <source>E-mail (SMTP)</source>
        <translation>电子邮件（SMTP）</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="225"/>
        <source>Webhook (signed JSON)</source>
        <translation>Webhook（签名 JSON）</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="226"/>
        <source>WeCom group robot</source>
        <translation>企业微信群机器人</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="227"/>
        <source>DingTalk robot</source>
        <translation>钉钉机器人</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="228"/>
        <source>Feishu / Lark bot</source>
        <translation>飞书机器人</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="229"/>
        <source>Slack incoming webhook</source>
        <translation>Slack 传入 Webhook</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="235"/>
        <source>Mail server</source>
        <translation>邮件服务器</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="236"/>
        <source>Port</source>
        <translation>端口</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="237"/>
        <source>Security</source>
        <translation>加密方式</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="238"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="239"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="240"/>
        <source>Sender address</source>
        <translation>发件地址</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="241"/>
        <source>Timeout (seconds)</source>
        <translation>超时（秒）</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="242"/>
        <source>Send an HTML part</source>
        <translation>附带 HTML 格式</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="243"/>
        <source>CA certificate file</source>
        <translation>CA 证书文件</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="244"/>
        <source>Web address (URL)</source>
        <translation>网址（URL）</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="245"/>
        <source>Signing secret</source>
        <translation>签名密钥</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="250"/>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="252"/>
        <source>%1 — %2 — levels %3</source>
        <translation>%1 — %2 — 层级 %3</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="253"/>
        <location filename="../widgets/channels_editor.py" line="300"/>
        <source>(no name)</source>
        <translation>（未命名）</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="258"/>
        <source>(off)</source>
        <translation>（已停用）</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="289"/>
        <source>A channel has no name.</source>
        <translation>有渠道没有名称。</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="291"/>
        <source>Two channels are called “%1”; names must differ.</source>
        <translation>有两个渠道都叫“%1”；名称不能重复。</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="299"/>
        <source>Settings</source>
        <translation>设置项</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="300"/>
        <source>“%1”, %2: %3</source>
        <translation>“%1”，%2：%3</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="323"/>
        <location filename="../widgets/channels_editor.py" line="325"/>
        <source>Channel %1</source>
        <translation>渠道 %1</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="378"/>
        <source>STARTTLS (port 587, default)</source>
        <translation>STARTTLS（端口 587，默认）</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="379"/>
        <source>None (port 25)</source>
        <translation>不加密（端口 25）</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="379"/>
        <source>SSL/TLS (port 465)</source>
        <translation>SSL/TLS（端口 465）</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="402"/>
        <source>Forget</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="403"/>
        <source>Remove the stored value when the channels are saved</source>
        <translation>保存渠道时删除已存储的值</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="420"/>
        <source>e.g. smtp.example.com</source>
        <translation>例如：smtp.example.com</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="421"/>
        <source>default for the security chosen</source>
        <translation>按所选加密方式的默认值</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="422"/>
        <source>only when the server asks for a login</source>
        <translation>仅在服务器要求登录时填写</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="423"/>
        <source>e.g. alerts@example.com</source>
        <translation>例如：alerts@example.com</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="424"/>
        <source>default: 5 (e-mail: 10)</source>
        <translation>默认：5（电子邮件：10）</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="425"/>
        <source>only for a private certificate authority</source>
        <translation>仅用于私有证书颁发机构</translation>
    </message>
    <message>
        <location filename="../widgets/channels_editor.py" line="433"/>
        <source>stored — type a new value to replace it</source>
        <translation>已存储 — 输入新值即可替换</translation>
    </message>
</context>
<context>
    <name>CheckInPage</name>
    <message>
        <location filename="../kiosk/checkin.py" line="64"/>
        <source>End-of-shift check-in</source>
        <translation>班后自评</translation>
    </message>
    <message>
        <location filename="../kiosk/checkin.py" line="65"/>
        <source>How hard was this shift?</source>
        <translation>这个班次有多辛苦？</translation>
    </message>
    <message>
        <location filename="../kiosk/checkin.py" line="68"/>
        <source>Anything on your mind? (optional, private)</source>
        <translation>有什么想说的？（选填，仅自己可见）</translation>
    </message>
    <message>
        <location filename="../kiosk/checkin.py" line="69"/>
        <source>Share this note with my manager</source>
        <translation>与店长分享这条备注</translation>
    </message>
    <message>
        <location filename="../kiosk/checkin.py" line="72"/>
        <source>Your score helps the team see which shifts are too hard. Your note stays private unless you share it.</source>
        <translation>你的评分帮助团队发现过于辛苦的班次。除非你选择分享，备注仅你自己可见。</translation>
    </message>
    <message>
        <location filename="../kiosk/checkin.py" line="75"/>
        <source>Save check-in</source>
        <translation>保存自评</translation>
    </message>
    <message>
        <location filename="../kiosk/checkin.py" line="76"/>
        <source>Your recent check-ins</source>
        <translation>你最近的自评</translation>
    </message>
    <message>
        <location filename="../kiosk/checkin.py" line="101"/>
        <source>None in the last two weeks.</source>
        <translation>最近两周没有记录。</translation>
    </message>
    <message>
        <location filename="../kiosk/checkin.py" line="119"/>
        <source>Thank you. Saved for your shift %1.</source>
        <translation>谢谢，已保存（班次 %1）。</translation>
    </message>
    <message>
        <location filename="../kiosk/checkin.py" line="121"/>
        <source>Thank you. Saved.</source>
        <translation>谢谢，已保存。</translation>
    </message>
    <message>
        <location filename="../kiosk/checkin.py" line="123"/>
        <source>(It replaces your earlier check-in for this shift.)</source>
        <translation>（已替换你本班次之前的自评。）</translation>
    </message>
</context>
<context>
    <name>CoverMarks</name>
    <message>
        <location filename="../widgets/cover_marks.py" line="53"/>
        <source>Cover: %1 %2, borrowed from %3</source>
        <translation>补位：%1 %2，借调自 %3</translation>
    </message>
    <message>
        <location filename="../widgets/cover_marks.py" line="55"/>
        <source>Cover: %1 %2</source>
        <translation>补位：%1 %2</translation>
    </message>
    <message>
        <location filename="../widgets/cover_marks.py" line="56"/>
        <source>%1 %2, borrowed from %3</source>
        <translation>%1 %2，借调自 %3</translation>
    </message>
</context>
<context>
    <name>CoverageBar</name>
    <message>
        <location filename="../widgets/tier_editor.py" line="321"/>
        <source>Staff per shift along daily revenue: red is a gap, amber an overlap.</source>
        <translation>各日营业额对应的每班人数：红色为空档，黄色为重叠。</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="355"/>
        <location filename="../widgets/tier_editor.py" line="370"/>
        <source>All day</source>
        <translation>全天</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/tier_editor.py" line="381"/>
        <source>%n staff</source>
        <translation>
            <numerusform>%n 人</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="398"/>
        <source>gap</source>
        <translation>空档</translation>
    </message>
</context>
<context>
    <name>CoverageLegend</name>
    <message>
        <location filename="../widgets/coverage_strip.py" line="278"/>
        <source>Two or more</source>
        <translation>两人及以上</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="279"/>
        <source>Solo (one person)</source>
        <translation>单人班（一人）</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="280"/>
        <source>Nobody on the floor</source>
        <translation>无人在岗</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="281"/>
        <source>Below tier policy</source>
        <translation>低于档位要求</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="282"/>
        <source>Outside opening hours</source>
        <translation>非营业时间</translation>
    </message>
</context>
<context>
    <name>CoverageStrip</name>
    <message>
        <location filename="../widgets/coverage_strip.py" line="113"/>
        <source>Alone on the floor: %1</source>
        <translation>单人在岗：%1</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="116"/>
        <source>Nobody on the floor: %1</source>
        <translation>无人在岗：%1</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="119"/>
        <source>Below policy: %1</source>
        <translation>低于档位要求：%1</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="120"/>
        <source>Covered all day</source>
        <translation>全天人手达标</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="214"/>
        <source>%1: %2 on the floor</source>
        <translation>%1：%2 人在岗</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="216"/>
        <source>The store is closed.</source>
        <translation>门店未营业。</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="219"/>
        <source>Nobody on the floor for part of this hour.</source>
        <translation>这一小时内有一段时间无人在岗。</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="221"/>
        <source>One person alone on the floor (solo).</source>
        <translation>一人独自在岗（单人班）。</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="223"/>
        <source>The tier policy asks for %1.</source>
        <translation>档位政策要求 %1 人。</translation>
    </message>
    <message>
        <location filename="../widgets/coverage_strip.py" line="225"/>
        <source>Below policy.</source>
        <translation>低于档位要求。</translation>
    </message>
</context>
<context>
    <name>EditorTab</name>
    <message>
        <location filename="../views/policies/tab.py" line="248"/>
        <source>Fix the problems marked above first.</source>
        <translation>请先修正上方标出的问题。</translation>
    </message>
</context>
<context>
    <name>EscalationEditor</name>
    <message>
        <location filename="../widgets/escalation_editor.py" line="86"/>
        <source>Level name</source>
        <translation>层级名称</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="87"/>
        <source>Named people (user names)</source>
        <translation>指定人员（用户名）</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="87"/>
        <source>Acknowledge within (min)</source>
        <translation>确认接单时限（分钟）</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="89"/>
        <source>Add level</source>
        <translation>添加层级</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="91"/>
        <source>Remove last level</source>
        <translation>删除最后一级</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="106"/>
        <source>min</source>
        <translation>分钟</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="110"/>
        <source>Policy name</source>
        <translation>政策名称</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="112"/>
        <source>Repeat the chain</source>
        <translation>重复升级链</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="114"/>
        <source>times when nobody acknowledged at the last level (0: stop after one round)</source>
        <translation>次（最后一级无人确认接单时；0 表示只走一轮）</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="117"/>
        <source>Remind the owner every</source>
        <translation>提醒负责人的间隔</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="119"/>
        <source>while an acknowledged alert is not resolved</source>
        <translation>适用于已接单但尚未解决的告警</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="122"/>
        <source>Longest snooze</source>
        <translation>最长暂停</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="124"/>
        <source>an alert can be put aside for at most this long</source>
        <translation>一条告警最多可暂停的时长</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="143"/>
        <source>An alert pages the first level; whoever does not acknowledge in time passes it up. Tick the roles to page at each level, or name people by their user names.</source>
        <translation>告警先呼叫第一级；未按时确认接单就上报到下一级。请为每一级勾选要呼叫的角色，或按用户名指定人员。</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="190"/>
        <location filename="../widgets/escalation_editor.py" line="232"/>
        <source>Level %1</source>
        <translation>第 %1 级</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="234"/>
        <source>give the level a name.</source>
        <translation>请为这一级命名。</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="236"/>
        <source>tick at least one role or name a person to page.</source>
        <translation>请至少勾选一个角色或指定一名要呼叫的人员。</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="238"/>
        <source>the time to acknowledge must be more than 0 minutes.</source>
        <translation>确认接单时限必须大于 0 分钟。</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="240"/>
        <source>a person is named twice.</source>
        <translation>有人员被重复指定。</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="247"/>
        <source>Give the policy a name.</source>
        <translation>请为政策命名。</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="249"/>
        <source>Reminders must come at least every minute (more than 0).</source>
        <translation>提醒间隔必须大于 0 分钟。</translation>
    </message>
    <message>
        <location filename="../widgets/escalation_editor.py" line="251"/>
        <source>The longest snooze must be more than 0 minutes.</source>
        <translation>最长暂停时间必须大于 0 分钟。</translation>
    </message>
</context>
<context>
    <name>EscalationPage</name>
    <message>
        <location filename="../views/policies/escalation.py" line="26"/>
        <source>Reset to default</source>
        <translation>恢复默认</translation>
    </message>
    <message>
        <location filename="../views/policies/escalation.py" line="29"/>
        <source>Staff → shift lead / store manager → operations supervisor → service director → executive</source>
        <translation>员工 → 值班主管 / 店长 → 运营督导 → 服务总监 → 高管</translation>
    </message>
    <message>
        <location filename="../views/policies/escalation.py" line="52"/>
        <source>The default five levels are in the editor; save to use them.</source>
        <translation>默认的五个层级已填入编辑器，保存后生效。</translation>
    </message>
    <message>
        <location filename="../views/policies/escalation.py" line="48"/>
        <source>Escalation policy saved. Alerts already open keep the policy they started with.</source>
        <translation>升级政策已保存。已在处理中的告警仍按原政策执行。</translation>
    </message>
</context>
<context>
    <name>FirstRunDialog</name>
    <message>
        <location filename="../login.py" line="228"/>
        <source>Welcome to Storemon</source>
        <translation>欢迎使用 Storemon</translation>
    </message>
    <message>
        <location filename="../login.py" line="232"/>
        <source>Nobody can sign in yet. Create the administrator: they set up the chain and give everyone else their account.</source>
        <translation>目前还没有人可以登录。请先创建管理员：由管理员设置连锁，并为其他人开通账号。</translation>
    </message>
    <message>
        <location filename="../login.py" line="253"/>
        <source>Create administrator</source>
        <translation>创建管理员</translation>
    </message>
    <message>
        <location filename="../login.py" line="261"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../login.py" line="262"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../login.py" line="263"/>
        <source>Password again</source>
        <translation>确认密码</translation>
    </message>
    <message>
        <location filename="../login.py" line="276"/>
        <source>too short (at least %1 characters)</source>
        <translation>太短（至少 %1 个字符）</translation>
    </message>
    <message>
        <location filename="../login.py" line="277"/>
        <source>weak: longer is better than cleverer</source>
        <translation>弱：长一点比复杂更有效</translation>
    </message>
    <message>
        <location filename="../login.py" line="278"/>
        <source>fair</source>
        <translation>一般</translation>
    </message>
    <message>
        <location filename="../login.py" line="279"/>
        <source>good</source>
        <translation>良好</translation>
    </message>
    <message>
        <location filename="../login.py" line="280"/>
        <source>strong</source>
        <translation>强</translation>
    </message>
    <message>
        <location filename="../login.py" line="282"/>
        <source>Strength: %1</source>
        <translation>强度：%1</translation>
    </message>
    <message>
        <location filename="../login.py" line="290"/>
        <source>Choose a user name.</source>
        <translation>请填写用户名。</translation>
    </message>
    <message>
        <location filename="../login.py" line="298"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
    <message>
        <location filename="../login.py" line="313"/>
        <source>Creating the administrator…</source>
        <translation>正在创建管理员…</translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message>
        <location filename="../format.py" line="67"/>
        <source>%1 h</source>
        <translation>%1 小时</translation>
    </message>
    <message>
        <location filename="../format.py" line="69"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../format.py" line="70"/>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
</context>
<context>
    <name>HeatmapModel</name>
    <message>
        <location filename="../widgets/heatmap.py" line="134"/>
        <source>%1 %2 — click to open it on Today</source>
        <translation>%1 %2 — 点击在“今日”中打开</translation>
    </message>
    <message>
        <location filename="../widgets/heatmap.py" line="164"/>
        <source>%1 %2, %3: closed</source>
        <translation>%1 %2，%3：未营业</translation>
    </message>
    <message>
        <location filename="../widgets/heatmap.py" line="166"/>
        <source>%1 %2, %3: staff busy %4 of the time on average</source>
        <translation>%1 %2，%3：员工平均 %4 的时间在忙</translation>
    </message>
    <message>
        <location filename="../widgets/heatmap.py" line="170"/>
        <source>Above 100% orders arrive faster than staff can make them: the queue grows.</source>
        <translation>超过 100% 时订单来得比员工做得快：队伍越排越长。</translation>
    </message>
    <message>
        <location filename="../widgets/heatmap.py" line="172"/>
        <source>Click to open the store on Today.</source>
        <translation>点击在“今日”中打开该门店。</translation>
    </message>
</context>
<context>
    <name>HelpBrowser</name>
    <message>
        <location filename="../widgets/help_browser.py" line="41"/>
        <source>Storemon help</source>
        <translation>Storemon 帮助</translation>
    </message>
    <message>
        <location filename="../widgets/help_browser.py" line="46"/>
        <source>Guide for store managers and shift leads</source>
        <translation>店长与值班主管指南</translation>
    </message>
    <message>
        <location filename="../widgets/help_browser.py" line="47"/>
        <source>Guide for regional managers and head office</source>
        <translation>区域经理与总部指南</translation>
    </message>
    <message>
        <location filename="../widgets/help_browser.py" line="48"/>
        <source>Guide for staff at the counter</source>
        <translation>门店员工（柜台）指南</translation>
    </message>
    <message>
        <location filename="../widgets/help_browser.py" line="49"/>
        <source>How pressure is computed</source>
        <translation>压力指数如何计算</translation>
    </message>
    <message>
        <location filename="../widgets/help_browser.py" line="52"/>
        <source>Back</source>
        <translation>后退</translation>
    </message>
    <message>
        <location filename="../widgets/help_browser.py" line="54"/>
        <source>Forward</source>
        <translation>前进</translation>
    </message>
    <message>
        <location filename="../widgets/help_browser.py" line="84"/>
        <source>The guides are not installed with this copy of Storemon; reinstall it to read them.</source>
        <translation>此 Storemon 安装中没有包含指南；请重新安装后再阅读。</translation>
    </message>
    <message>
        <location filename="../widgets/help_browser.py" line="97"/>
        <source>The guides are written in English.</source>
        <translation>指南目前只有英文版。</translation>
    </message>
</context>
<context>
    <name>HelpPage</name>
    <message>
        <location filename="../kiosk/help.py" line="68"/>
        <source>I need help now</source>
        <translation>我需要帮助</translation>
    </message>
    <message>
        <location filename="../kiosk/help.py" line="69"/>
        <source>What is happening?</source>
        <translation>发生了什么？</translation>
    </message>
    <message>
        <location filename="../kiosk/help.py" line="70"/>
        <source>Anything else? (optional)</source>
        <translation>还有什么情况？（选填）</translation>
    </message>
    <message>
        <location filename="../kiosk/help.py" line="71"/>
        <source>e.g. 12 people waiting, espresso machine down</source>
        <translation>例如：12 人在排队，咖啡机故障</translation>
    </message>
    <message>
        <location filename="../kiosk/help.py" line="72"/>
        <source>How soon?</source>
        <translation>多急？</translation>
    </message>
    <message>
        <location filename="../kiosk/help.py" line="77"/>
        <source>Send for help</source>
        <translation>发送求助</translation>
    </message>
</context>
<context>
    <name>HelpStatusPage</name>
    <message>
        <location filename="../kiosk/help_status.py" line="35"/>
        <source>Your help request</source>
        <translation>你的求助</translation>
    </message>
    <message>
        <location filename="../kiosk/help_status.py" line="36"/>
        <source>Back to start</source>
        <translation>返回首页</translation>
    </message>
    <message>
        <location filename="../kiosk/help_status.py" line="42"/>
        <source>Sent — your shift lead / store manager has been paged.</source>
        <translation>已发送 — 已通知你的值班主管 / 店长。</translation>
    </message>
    <message>
        <location filename="../kiosk/help_status.py" line="44"/>
        <source>Paged: %1</source>
        <translation>已通知：%1</translation>
    </message>
    <message>
        <location filename="../kiosk/help_status.py" line="48"/>
        <source>Resolved. Thank you for asking.</source>
        <translation>已解决。谢谢你及时求助。</translation>
    </message>
    <message>
        <location filename="../kiosk/help_status.py" line="53"/>
        <source>%1 is on it (since %2).</source>
        <translation>%1 已接单（%2 起）。</translation>
    </message>
    <message>
        <location filename="../kiosk/help_status.py" line="56"/>
        <location filename="../kiosk/help_status.py" line="62"/>
        <source>%1 is coming, expected %2.</source>
        <translation>%1 正在赶来，预计 %2 到达。</translation>
    </message>
    <message>
        <location filename="../kiosk/help_status.py" line="59"/>
        <location filename="../kiosk/help_status.py" line="66"/>
        <source>Stay safe. If it gets worse, step back from the counter.</source>
        <translation>注意安全。情况恶化时，请先离开柜台。</translation>
    </message>
    <message>
        <location filename="../kiosk/help_status.py" line="68"/>
        <source>Waiting for an answer…</source>
        <translation>等待响应…</translation>
    </message>
    <message>
        <location filename="../kiosk/help_status.py" line="73"/>
        <source>If nobody answers by %1, it goes up to: %2.</source>
        <translation>若 %1 前无人响应，将升级至：%2。</translation>
    </message>
    <message>
        <location filename="../kiosk/help_status.py" line="79"/>
        <source>No answer yet, so it went up to: %1.</source>
        <translation>暂无人响应，已升级至：%1。</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../kiosk/home.py" line="46"/>
        <source>I need help now</source>
        <translation>我需要帮助</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="47"/>
        <source>Page your shift lead / store manager to step in or relieve you</source>
        <translation>通知值班主管 / 店长来补位或换岗</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="50"/>
        <source>Log an incident</source>
        <translation>记录事件</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="50"/>
        <source>A difficult customer, a complaint, a refund</source>
        <translation>难缠顾客、投诉、退款</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="53"/>
        <source>Promise a callback</source>
        <translation>预约回电</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="53"/>
        <source>Book a time to call a customer back</source>
        <translation>与顾客约定回电时间</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="55"/>
        <source>End-of-shift check-in</source>
        <translation>班后自评</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="55"/>
        <source>How hard was this shift?</source>
        <translation>这个班次有多辛苦？</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="57"/>
        <source>Where to get support</source>
        <translation>获取支持</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="57"/>
        <source>Hotline, colleagues, sessions</source>
        <translation>热线、同事、心理辅导</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="63"/>
        <source>Hello %1, what do you need?</source>
        <translation>%1 你好，需要什么帮助？</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="74"/>
        <source>%1 is coming, expected %2</source>
        <translation>%1 正在赶来，预计 %2 到达</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="77"/>
        <source>%1 is on it</source>
        <translation>%1 已接单</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="79"/>
        <source>Waiting for someone to answer…</source>
        <translation>等待有人响应…</translation>
    </message>
    <message>
        <location filename="../kiosk/home.py" line="80"/>
        <source>Your help request</source>
        <translation>你的求助</translation>
    </message>
</context>
<context>
    <name>ImportPage</name>
    <message>
        <location filename="../views/import_wizard/importing.py" line="29"/>
        <source>Importing</source>
        <translation>正在导入</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/importing.py" line="31"/>
        <source>Everything is written in one go at the end; cancelling leaves the database as it was.</source>
        <translation>所有数据会在最后一次性写入；取消则数据库保持原样。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/importing.py" line="37"/>
        <source>Import progress</source>
        <translation>导入进度</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/importing.py" line="39"/>
        <source>Cancel import</source>
        <translation>取消导入</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/importing.py" line="60"/>
        <source>Importing %1…</source>
        <translation>正在导入 %1…</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/importing.py" line="63"/>
        <source>Reading the file…</source>
        <translation>正在读取文件…</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/importing.py" line="82"/>
        <source>Cancelling… nothing will be written.</source>
        <translation>正在取消…不会写入任何数据。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/importing.py" line="93"/>
        <source>%1 of about %2 rows read</source>
        <translation>已读取 %1 行，共约 %2 行</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/importing.py" line="100"/>
        <source>Done.</source>
        <translation>完成。</translation>
    </message>
</context>
<context>
    <name>ImportWizard</name>
    <message>
        <location filename="../views/import_wizard/common.py" line="21"/>
        <source>Order / receipt number</source>
        <translation>订单号 / 小票号</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="22"/>
        <source>Date and time</source>
        <translation>日期和时间</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="23"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="24"/>
        <source>Time of day</source>
        <translation>时刻</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="25"/>
        <source>Store code</source>
        <translation>门店编号</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="26"/>
        <source>Store name</source>
        <translation>门店名称</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="27"/>
        <source>Store address</source>
        <translation>门店地址</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="28"/>
        <source>Quantity (items)</source>
        <translation>数量（件）</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="29"/>
        <source>Unit price</source>
        <translation>单价</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="30"/>
        <source>Line amount</source>
        <translation>明细金额</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="31"/>
        <source>Order total</source>
        <translation>订单总额</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="32"/>
        <location filename="../views/import_wizard/common.py" line="37"/>
        <source>Employee code</source>
        <translation>员工编号</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="33"/>
        <source>Employee name</source>
        <translation>员工姓名</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="34"/>
        <source>Shift start</source>
        <translation>上班时间</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="35"/>
        <source>Shift end</source>
        <translation>下班时间</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="36"/>
        <source>Role</source>
        <translation>岗位</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="38"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="39"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="40"/>
        <source>Email</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/common.py" line="41"/>
        <source>Hourly wage</source>
        <translation>时薪</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/wizard.py" line="37"/>
        <source>Import data</source>
        <translation>导入数据</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/wizard.py" line="41"/>
        <source>Change options…</source>
        <translation>更改选项…</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/wizard.py" line="81"/>
        <source>Imported %1 rows from %2</source>
        <translation>已从 %2 导入 %1 行</translation>
    </message>
</context>
<context>
    <name>IncidentPage</name>
    <message>
        <location filename="../kiosk/incident.py" line="156"/>
        <source>Log an incident</source>
        <translation>记录事件</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="157"/>
        <source>What kind of incident?</source>
        <translation>事件类型？</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="158"/>
        <source>What kind of customer?</source>
        <translation>顾客类型？</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="161"/>
        <source>Did the customer mention any of these?</source>
        <translation>顾客是否提到以下内容？</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="164"/>
        <source>What you can do (pre-approved responses)</source>
        <translation>你可以这样做（预先批准的应对预案）</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="165"/>
        <source>Compensation given</source>
        <translation>给予的补偿</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="167"/>
        <source>A colleague approves it here</source>
        <translation>请同事在此审批</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="168"/>
        <source>Who approves? They confirm with their own PIN.</source>
        <translation>谁来审批？审批人需输入自己的 PIN。</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="169"/>
        <source>Approve</source>
        <translation>审批通过</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="170"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="171"/>
        <source>What happened? (optional)</source>
        <translation>发生了什么？（选填）</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="172"/>
        <location filename="../kiosk/incident.py" line="329"/>
        <source>Record incident</source>
        <translation>记录事件</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="261"/>
        <source>up to %1</source>
        <translation>最多 %1</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="288"/>
        <source>Your authority limit: %1, no personal liability</source>
        <translation>你的处理权限：%1，个人无需承担责任</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="293"/>
        <source>Your superior is told at once: a sensitive incident skips the first level.</source>
        <translation>将立即通知你的上级：敏感事件跳过第一层级。</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="297"/>
        <source>Ticking one of these tells your superior at once.</source>
        <translation>勾选任意一项将立即通知你的上级。</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="307"/>
        <source>Approved by %1 for %2.</source>
        <translation>已由 %1 审批，金额 %2。</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="314"/>
        <source>Above your limit of %1: this needs approval. A colleague who may grant it can approve it here with their PIN; otherwise it is recorded and your manager is asked to approve it.</source>
        <translation>超出你的处理权限 %1：需要审批。有权限的同事可在此输入 PIN 审批；否则将先记录，并请店长审批。</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="327"/>
        <source>Record and ask for approval</source>
        <translation>记录并提交审批</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="340"/>
        <source>Loading colleagues…</source>
        <translation>正在加载同事…</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="353"/>
        <source>Nobody here may approve this amount; it will be sent for approval.</source>
        <translation>这里没有人有权审批此金额，将提交审批。</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="361"/>
        <source>Type your PIN.</source>
        <translation>请输入 PIN。</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="361"/>
        <source>Tap your name.</source>
        <translation>请点选你的名字。</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="389"/>
        <source>Too many wrong PINs: %1 is locked for 5 minutes.</source>
        <translation>PIN 错误次数过多：%1 已锁定 5 分钟。</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="394"/>
        <source>Wrong PIN. 1 try left.</source>
        <translation>PIN 错误。还剩 1 次机会。</translation>
    </message>
    <message numerus="yes">
        <location filename="../kiosk/incident.py" line="396"/>
        <source>Wrong PIN. %n tries left.</source>
        <translation>
            <numerusform>PIN 错误。还剩 %n 次机会。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="419"/>
        <source>Response used: %1</source>
        <translation>采用的应对：%1</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="438"/>
        <source>Incident recorded. Thank you for writing it down.</source>
        <translation>事件已记录，感谢你的记录。</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="440"/>
        <source>Your superior has been told at once.</source>
        <translation>已立即通知你的上级。</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="442"/>
        <source>The compensation was sent for approval; your manager has been asked.</source>
        <translation>补偿已提交审批，已通知店长。</translation>
    </message>
    <message>
        <location filename="../kiosk/incident.py" line="444"/>
        <source>Approved by %1.</source>
        <translation>已由 %1 审批。</translation>
    </message>
</context>
<context>
    <name>IncidentRulesPage</name>
    <message>
        <location filename="../views/policies/incident_rules.py" line="89"/>
        <source>Save limits and playbooks</source>
        <translation>保存处理权限和应对预案</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="91"/>
        <source>Authority limits (CNY)</source>
        <translation>处理权限（元）</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="112"/>
        <source>The most compensation or waiver someone in this role may grant on their own, with no personal liability. More authority at the counter settles more complaints at once.</source>
        <translation>该角色可自行给予的最高补偿或减免金额，个人无需承担责任。柜台的权限越大，当场解决的投诉就越多。</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="120"/>
        <source>Playbooks</source>
        <translation>应对预案</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="126"/>
        <source>Add incident type</source>
        <translation>添加事件类型</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="128"/>
        <source>Remove type</source>
        <translation>删除类型</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="142"/>
        <source>Incident type</source>
        <translation>事件类型</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="146"/>
        <source>Pre-approved response</source>
        <translation>预先批准的应对方式</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="146"/>
        <source>Up to (CNY)</source>
        <translation>最高（元）</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="146"/>
        <source>May grant it alone</source>
        <translation>可自行给予</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="148"/>
        <source>Remove this response</source>
        <translation>删除此应对方式</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="151"/>
        <source>Add response</source>
        <translation>添加应对方式</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="159"/>
        <source>At least %1 responses the person at the counter may use without asking anyone.</source>
        <translation>至少 %1 种应对方式，柜台人员无需请示即可采用。</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="236"/>
        <source>Built-in incident types cannot be removed</source>
        <translation>内置事件类型不能删除</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="314"/>
        <source>%1: “%2” is not an amount (zero or more, at most two decimals).</source>
        <translation>%1：“%2”不是有效金额（须大于或等于 0，最多两位小数）。</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="322"/>
        <source>%1 may grant less than %2: authority must not shrink up the chain.</source>
        <translation>%1 的权限低于 %2：层级越高，权限不能越小。</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="352"/>
        <source>nobody</source>
        <translation>无人</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="354"/>
        <source>Above every authority limit: raise a limit or lower the amount.</source>
        <translation>超出所有处理权限：请提高权限或降低金额。</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="363"/>
        <source>Give the incident type a name.</source>
        <translation>请为事件类型命名。</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="367"/>
        <source>This playbook has %1 response(s); it needs at least %2.</source>
        <translation>此应对预案有 %1 种应对方式，至少需要 %2 种。</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="373"/>
        <source>A response has no text: write it or remove it.</source>
        <translation>有一条应对方式没有内容：请填写或删除。</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="377"/>
        <source>“%1” is not an amount.</source>
        <translation>“%1”不是有效金额。</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="387"/>
        <source>New incident type</source>
        <translation>新事件类型</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="412"/>
        <source>Fix the authority limits marked in red first.</source>
        <translation>请先修正标红的处理权限。</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="422"/>
        <source>Not saved: the playbook “%1” has %2 response(s); every playbook needs at least %3.</source>
        <translation>未保存：应对预案“%1”只有 %2 种应对方式，每个预案至少需要 %3 种。</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="431"/>
        <source>Fix the amounts marked in red first.</source>
        <translation>请先修正标红的金额。</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="445"/>
        <source>Authority limits and playbooks saved.</source>
        <translation>处理权限和应对预案已保存。</translation>
    </message>
</context>
<context>
    <name>Incidents</name>
    <message>
        <location filename="../models/incidents_table.py" line="20"/>
        <source>Slow order</source>
        <translation>出品慢</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="21"/>
        <source>Queue dispute</source>
        <translation>排队纠纷</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="22"/>
        <source>Customer in the prep area</source>
        <translation>顾客进入操作区</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="23"/>
        <source>Refund demand</source>
        <translation>要求退款</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="24"/>
        <source>Complaint</source>
        <translation>投诉</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="27"/>
        <source>Irritable</source>
        <translation>易怒型</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="28"/>
        <source>Repetitive</source>
        <translation>反复型</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="29"/>
        <source>Rational, demanding</source>
        <translation>理性苛求型</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="30"/>
        <source>Opportunistic</source>
        <translation>趁机索赔型</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="33"/>
        <source>Escalated complaint</source>
        <translation>升级投诉</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="34"/>
        <source>Consumer association</source>
        <translation>消费者协会</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="35"/>
        <source>Media exposure</source>
        <translation>媒体曝光</translation>
    </message>
</context>
<context>
    <name>IncidentsTableModel</name>
    <message>
        <location filename="../models/incidents_table.py" line="69"/>
        <source>Time (local)</source>
        <translation>时间（当地）</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="72"/>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="77"/>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="81"/>
        <source>Incident type</source>
        <translation>事件类型</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="82"/>
        <source>Customer type</source>
        <translation>顾客类型</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="84"/>
        <source>Sensitive triggers</source>
        <translation>敏感话题</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="96"/>
        <source>Compensation</source>
        <translation>补偿</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="101"/>
        <source>Approved by</source>
        <translation>批准人</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="78"/>
        <source>(not recorded)</source>
        <translation>（未记录）</translation>
    </message>
    <message>
        <location filename="../models/incidents_table.py" line="90"/>
        <source>A sensitive trigger was mentioned: report to your superior at once.</source>
        <translation>顾客提及敏感话题：请立即向上级报告。</translation>
    </message>
</context>
<context>
    <name>IncidentsView</name>
    <message>
        <location filename="../views/incidents.py" line="47"/>
        <location filename="../views/incidents.py" line="86"/>
        <source>Incidents</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="61"/>
        <source>All types</source>
        <translation>全部类型</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="62"/>
        <source>All customer types</source>
        <translation>全部顾客类型</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="63"/>
        <source>Sensitive trigger mentioned</source>
        <translation>提及敏感话题</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="66"/>
        <source>Only incidents where the customer mentioned an escalated complaint, the consumer association or the media</source>
        <translation>只显示顾客提到升级投诉、消费者协会或媒体的事件</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="69"/>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="70"/>
        <source>Save the listed incidents as CSV or Excel</source>
        <translation>将列出的事件保存为 CSV 或 Excel 文件</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="72"/>
        <location filename="../views/incidents.py" line="102"/>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="77"/>
        <source>Incident type</source>
        <translation>事件类型</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="77"/>
        <source>Customer</source>
        <translation>顾客</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="87"/>
        <source>No incidents match these filters.</source>
        <translation>没有符合筛选条件的事件。</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="101"/>
        <source>Time (local)</source>
        <translation>时间（当地）</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="103"/>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="104"/>
        <source>Customer type</source>
        <translation>顾客类型</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="105"/>
        <source>Compensation</source>
        <translation>补偿</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="106"/>
        <source>Approved by</source>
        <translation>批准人</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="94"/>
        <source>No description was recorded.</source>
        <translation>未记录描述。</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="95"/>
        <location filename="../views/incidents.py" line="97"/>
        <location filename="../views/incidents.py" line="223"/>
        <source>Description</source>
        <translation>描述</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="108"/>
        <source>Select an incident to see what happened.</source>
        <translation>选择一个事件查看经过。</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="137"/>
        <source>All stores</source>
        <translation>全部门店</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="173"/>
        <source>Showing the newest %1 incidents; narrow the filters to see the rest.</source>
        <translation>显示最新的 %1 个事件；缩小筛选范围可查看其余事件。</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="177"/>
        <source>Incidents: %1</source>
        <translation>事件：%1</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="180"/>
        <source>%1 with a sensitive trigger</source>
        <translation>其中 %1 个提及敏感话题</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="194"/>
        <source>Sensitive trigger mentioned: %1. Report to your superior at once; the escalation skips the first level.</source>
        <translation>提及敏感话题：%1。请立即向上级报告；升级时跳过第一级。</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="201"/>
        <source>(not recorded)</source>
        <translation>（未记录）</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="207"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="216"/>
        <source>Export incidents</source>
        <translation>导出事件</translation>
    </message>
    <message>
        <location filename="../views/incidents.py" line="239"/>
        <source>Exported %1 incidents to %2</source>
        <translation>已导出 %1 个事件到 %2</translation>
    </message>
</context>
<context>
    <name>JobsBanner</name>
    <message>
        <location filename="../widgets/jobs_banner.py" line="38"/>
        <source>Nobody is running the escalations: calls for help will not go up the chain. Keep Storemon open on this PC, or start the worker (storemon worker).</source>
        <translation>没有任何程序在执行升级任务：求助不会逐级上报。请在这台电脑上保持 Storemon 运行，或启动后台服务（storemon worker）。</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <location filename="../widgets/keypad.py" line="50"/>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <location filename="../widgets/keypad.py" line="52"/>
        <location filename="../widgets/keypad.py" line="53"/>
        <source>Delete the last digit</source>
        <translation>删除最后一位</translation>
    </message>
</context>
<context>
    <name>Kiosk</name>
    <message>
        <location filename="../kiosk/choices.py" line="15"/>
        <source>Irritable</source>
        <translation>易怒型</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="15"/>
        <source>Shouting, insults</source>
        <translation>大声喊叫、辱骂</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="18"/>
        <source>Repetitive</source>
        <translation>反复型</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="19"/>
        <source>Retells the story, cannot focus</source>
        <translation>反复讲述，难以聚焦</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="23"/>
        <source>Rational but demanding</source>
        <translation>理性苛求型</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="24"/>
        <source>Sharp questions, wants an answer now</source>
        <translation>问题尖锐，要求立刻答复</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="28"/>
        <source>Opportunistic</source>
        <translation>趁机索赔型</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="29"/>
        <source>Uses a loss to get extra compensation</source>
        <translation>借损失索要额外补偿</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="35"/>
        <source>Escalated complaint</source>
        <translation>升级投诉</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="36"/>
        <source>Consumer association</source>
        <translation>消费者协会</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="37"/>
        <source>Media exposure</source>
        <translation>媒体曝光</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="40"/>
        <source>The queue is too long</source>
        <translation>排队太长</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="41"/>
        <source>I am alone at the counter</source>
        <translation>柜台只有我一个人</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="42"/>
        <source>A difficult customer</source>
        <translation>遇到难缠的顾客</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="43"/>
        <source>I need a break</source>
        <translation>我需要休息一下</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="44"/>
        <source>I feel unwell</source>
        <translation>我身体不舒服</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="45"/>
        <source>I feel unsafe</source>
        <translation>我感到不安全</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="46"/>
        <source>Equipment is broken</source>
        <translation>设备故障</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="50"/>
        <source>When someone can</source>
        <translation>有空时</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="51"/>
        <source>Soon</source>
        <translation>尽快</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="52"/>
        <source>Right now</source>
        <translation>马上</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="55"/>
        <source>Easy</source>
        <translation>轻松</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="56"/>
        <source>Fine</source>
        <translation>还好</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="57"/>
        <source>Busy</source>
        <translation>忙碌</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="58"/>
        <source>Hard</source>
        <translation>辛苦</translation>
    </message>
    <message>
        <location filename="../kiosk/choices.py" line="59"/>
        <source>Very hard</source>
        <translation>非常辛苦</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../kiosk/window.py" line="65"/>
        <source>Storemon kiosk — %1</source>
        <translation>Storemon 柜台终端 — %1</translation>
    </message>
    <message>
        <location filename="../kiosk/window.py" line="150"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location filename="../kiosk/window.py" line="151"/>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location filename="../kiosk/window.py" line="373"/>
        <source>Signed out after 2 minutes without activity.</source>
        <translation>2 分钟无操作，已自动退出登录。</translation>
    </message>
    <message>
        <location filename="../kiosk/window.py" line="378"/>
        <source>No activity: signing out in %1 s. Touch the screen to stay.</source>
        <translation>无操作：%1 秒后退出登录。触摸屏幕可继续。</translation>
    </message>
</context>
<context>
    <name>LabourCost</name>
    <message>
        <location filename="../widgets/labour_cost.py" line="36"/>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <location filename="../widgets/labour_cost.py" line="43"/>
        <source>No sales yet to compare with</source>
        <translation>尚无销售额可比</translation>
    </message>
    <message>
        <location filename="../widgets/labour_cost.py" line="46"/>
        <source>%1 of sales so far (%2 of wages to now)</source>
        <translation>占目前销售额 %1（截至现在工资 %2）</translation>
    </message>
    <message>
        <location filename="../widgets/labour_cost.py" line="51"/>
        <source>%1 of sales</source>
        <translation>占销售额 %1</translation>
    </message>
    <message>
        <location filename="../widgets/labour_cost.py" line="59"/>
        <source>The cover costs %1 in wages.</source>
        <translation>这些补班需支付工资 %1。</translation>
    </message>
    <message>
        <location filename="../widgets/labour_cost.py" line="65"/>
        <source>Labour cost: %1 a day, %2 over the week.</source>
        <translation>人工成本：每天 %1，整周 %2。</translation>
    </message>
    <message>
        <location filename="../widgets/labour_cost.py" line="71"/>
        <source>Labour cost: %1 a week.</source>
        <translation>人工成本：每周 %1。</translation>
    </message>
    <message>
        <location filename="../widgets/labour_cost.py" line="77"/>
        <source>the person&apos;s own wage</source>
        <translation>本人时薪</translation>
    </message>
    <message>
        <location filename="../widgets/labour_cost.py" line="79"/>
        <source>the role&apos;s wage</source>
        <translation>岗位时薪</translation>
    </message>
    <message>
        <location filename="../widgets/labour_cost.py" line="82"/>
        <source>Labour cost %1 (%2 an hour, %3)</source>
        <translation>人工成本 %1（每小时 %2，%3）</translation>
    </message>
    <message>
        <location filename="../widgets/labour_cost.py" line="98"/>
        <source>labour %1</source>
        <translation>人工成本 %1</translation>
    </message>
    <message>
        <location filename="../widgets/labour_cost.py" line="103"/>
        <source>Wages %1 over the last sales week</source>
        <translation>上一销售周工资 %1</translation>
    </message>
</context>
<context>
    <name>LoginDialog</name>
    <message>
        <location filename="../login.py" line="104"/>
        <source>Sign in to Storemon</source>
        <translation>登录 Storemon</translation>
    </message>
    <message>
        <location filename="../login.py" line="115"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../login.py" line="124"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../login.py" line="125"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location filename="../login.py" line="159"/>
        <source>Checking…</source>
        <translation>正在验证…</translation>
    </message>
    <message numerus="yes">
        <location filename="../login.py" line="185"/>
        <source>Wrong user name or password. %n more tries before this name is locked for %1 minutes.</source>
        <translation>
            <numerusform>用户名或密码错误。再试错 %n 次，该用户名将被锁定 %1 分钟。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../login.py" line="205"/>
        <source>You may try again now.</source>
        <translation>现在可以重试了。</translation>
    </message>
    <message>
        <location filename="../login.py" line="209"/>
        <source>Too many wrong passwords. Try again in %1.</source>
        <translation>密码错误次数过多，请在 %1 后再试。</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <location filename="../kiosk/login.py" line="72"/>
        <location filename="../kiosk/login.py" line="78"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location filename="../kiosk/login.py" line="73"/>
        <source>Who are you?</source>
        <translation>你是谁？</translation>
    </message>
    <message>
        <location filename="../kiosk/login.py" line="75"/>
        <source>Not on the list? Ask your store manager for a Storemon account and a PIN.</source>
        <translation>名单中没有你？请向店长申请 Storemon 账号和 PIN。</translation>
    </message>
    <message>
        <location filename="../kiosk/login.py" line="77"/>
        <source>Loading names…</source>
        <translation>正在加载名单…</translation>
    </message>
    <message>
        <location filename="../kiosk/login.py" line="90"/>
        <source>Nobody of this store can sign in here yet.</source>
        <translation>本店暂无可登录人员。</translation>
    </message>
    <message>
        <location filename="../kiosk/login.py" line="129"/>
        <source>You can try again now.</source>
        <translation>现在可以重试了。</translation>
    </message>
    <message>
        <location filename="../kiosk/login.py" line="138"/>
        <source>Tap your name, then type your PIN.</source>
        <translation>点选你的名字，然后输入 PIN。</translation>
    </message>
    <message>
        <location filename="../kiosk/login.py" line="141"/>
        <source>Too many wrong PINs. Try again in %1.</source>
        <translation>PIN 错误次数过多。请在 %1 后重试。</translation>
    </message>
    <message>
        <location filename="../kiosk/login.py" line="143"/>
        <location filename="../kiosk/login.py" line="174"/>
        <source>You have no PIN yet. Ask your store manager to set one.</source>
        <translation>你还没有 PIN。请让店长为你设置。</translation>
    </message>
    <message>
        <location filename="../kiosk/login.py" line="145"/>
        <source>Hello %1, type your PIN.</source>
        <translation>%1 你好，请输入 PIN。</translation>
    </message>
    <message>
        <location filename="../kiosk/login.py" line="169"/>
        <source>Wrong PIN. 1 try left before a 5-minute lock.</source>
        <translation>PIN 错误。再错 1 次将锁定 5 分钟。</translation>
    </message>
    <message numerus="yes">
        <location filename="../kiosk/login.py" line="171"/>
        <source>Wrong PIN. %n tries left before a 5-minute lock.</source>
        <translation>
            <numerusform>PIN 错误。再错 %n 次将锁定 5 分钟。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../kiosk/login.py" line="176"/>
        <source>You cannot sign in here. Ask your store manager.</source>
        <translation>你无法在此登录。请询问店长。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="63"/>
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="64"/>
        <source>Region</source>
        <translation>区域</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="65"/>
        <location filename="../main_window.py" line="253"/>
        <source>Alerts</source>
        <translation>告警</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="66"/>
        <source>Schedule</source>
        <translation>排班</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="67"/>
        <source>Incidents</source>
        <translation>事件</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="68"/>
        <source>Policies</source>
        <translation>政策</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="69"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="70"/>
        <source>Audit</source>
        <translation>审计</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="71"/>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="114"/>
        <location filename="../main_window.py" line="267"/>
        <source>Storemon</source>
        <translation>Storemon</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="169"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="171"/>
        <source>&amp;Import...</source>
        <translation>导入(&amp;I)...</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="175"/>
        <source>Only a store manager or above may import files.</source>
        <translation>只有店长或更高职位可以导入文件。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="178"/>
        <source>&amp;Refresh</source>
        <translation>刷新(&amp;R)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="182"/>
        <source>S&amp;witch user...</source>
        <translation>切换用户(&amp;W)...</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="183"/>
        <source>Let someone else sign in at this PC</source>
        <translation>让其他人在这台电脑上登录</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="186"/>
        <source>Sign &amp;out</source>
        <translation>退出登录(&amp;O)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="190"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="194"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="202"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="204"/>
        <source>&amp;User guide</source>
        <translation>用户指南(&amp;U)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="208"/>
        <source>How &amp;pressure is computed</source>
        <translation>压力指数如何计算(&amp;P)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="212"/>
        <source>&amp;About Storemon</source>
        <translation>关于 Storemon(&amp;A)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="218"/>
        <source>Database: %1</source>
        <translation>数据库：%1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="219"/>
        <source>Signed in as %1</source>
        <translation>当前用户：%1</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="224"/>
        <source>Worker: checking...</source>
        <translation>后台服务：检查中...</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="254"/>
        <source>%1 (%2)</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="260"/>
        <source>1 unread alert notification</source>
        <translation>1 条未读告警通知</translation>
    </message>
    <message numerus="yes">
        <location filename="../main_window.py" line="263"/>
        <source>%n unread alert notifications</source>
        <translation>
            <numerusform>%n 条未读告警通知</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../main_window.py" line="265"/>
        <source>Nothing unread</source>
        <translation>没有未读通知</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="268"/>
        <source>(%1) %2</source>
        <translation>(%1) %2</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="300"/>
        <source>Database: connection lost</source>
        <translation>数据库：连接已断开</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="311"/>
        <source>Worker: not running</source>
        <translation>后台服务：未运行</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="315"/>
        <source>Worker: running</source>
        <translation>后台服务：运行中</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="317"/>
        <source>Worker: silent for %1 min</source>
        <translation>后台服务：已 %1 分钟无响应</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="351"/>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="352"/>
        <source>%1 has unsaved changes. Save them before you leave?</source>
        <translation>“%1”有未保存的更改。离开前要保存吗？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="356"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="357"/>
        <source>Discard</source>
        <translation>放弃更改</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="358"/>
        <location filename="../main_window.py" line="411"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="394"/>
        <source>Calls for help are open</source>
        <translation>仍有未处理的求助</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="397"/>
        <source>%1 alert(s) are still open. This window is what escalates them on this PC: if it closes and no kiosk or worker runs here, nobody else will be paged.</source>
        <translation>还有 %1 条告警未处理。在这台电脑上由本窗口负责逐级上报：如果关闭它，而这里也没有运行自助终端或后台服务，就不会再通知任何人。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="406"/>
        <source>Keep running in the tray</source>
        <translation>在托盘中继续运行</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="409"/>
        <source>This desktop has no system tray; keep the window open instead.</source>
        <translation>此桌面没有系统托盘，请保持窗口打开。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="410"/>
        <source>Quit anyway</source>
        <translation>仍然退出</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="482"/>
        <source>About Storemon</source>
        <translation>关于 Storemon</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="485"/>
        <source>Storemon %1

Staffing, queue waits, shift pressure and escalation for small stores.</source>
        <translation>Storemon %1

面向小型门店：配员、排队等待、班次压力与逐级上报。</translation>
    </message>
</context>
<context>
    <name>MappingPage</name>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="41"/>
        <source>Match the columns</source>
        <translation>匹配列</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="43"/>
        <source>Say what each column holds. Columns Storemon recognised are filled in already.</source>
        <translation>请说明每一列的内容。Storemon 已识别的列已自动填好。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="46"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="50"/>
        <source>Column in the file</source>
        <translation>文件中的列</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="50"/>
        <source>Example</source>
        <translation>示例</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="50"/>
        <source>Import as</source>
        <translation>导入为</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="59"/>
        <source>Column matching</source>
        <translation>列匹配</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="61"/>
        <source>Options</source>
        <translation>选项</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="65"/>
        <source>Take the store from the file</source>
        <translation>从文件中读取门店</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="66"/>
        <source>Store for every row</source>
        <translation>所有行使用同一门店</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="69"/>
        <source>Detect; refuse ambiguous dates such as 02/03/2026</source>
        <translation>自动识别；不接受 02/03/2026 这类有歧义的日期</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="70"/>
        <source>Day first: 02/03/2026 is 2 March</source>
        <translation>日在前：02/03/2026 为 3 月 2 日</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="71"/>
        <source>Month first: 02/03/2026 is 3 February</source>
        <translation>月在前：02/03/2026 为 2 月 3 日</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="72"/>
        <source>Dates</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="75"/>
        <source>Create stores the file names that Storemon does not know yet</source>
        <translation>文件中出现 Storemon 尚无的门店时，新建该门店</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="78"/>
        <source>Create people the roster names that Storemon does not know yet</source>
        <translation>排班表中出现 Storemon 尚无的人员时，新建该人员</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="81"/>
        <source>Skip bad rows: import the good rows and save the bad ones to a rejects file</source>
        <translation>跳过错误行：导入正确的行，错误行另存到拒收文件</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="89"/>
        <source>Time zone of new stores</source>
        <translation>新建门店的时区</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="136"/>
        <source>(no name)</source>
        <translation>（无列名）</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="144"/>
        <source>Not imported</source>
        <translation>不导入</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="150"/>
        <source>Import column %1 as</source>
        <translation>将列“%1”导入为</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="195"/>
        <source>“%1” is chosen for more than one column.</source>
        <translation>多个列都选择了“%1”。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="199"/>
        <source>Choose the column with the date and time of each order.</source>
        <translation>请选择每笔订单的日期和时间所在的列。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="202"/>
        <source>Choose the column with the amount (order total, line amount or unit price).</source>
        <translation>请选择金额所在的列（订单总额、明细金额或单价）。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="208"/>
        <source>Choose the store column, or pick the store every row belongs to.</source>
        <translation>请选择门店列，或指定所有行所属的门店。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="211"/>
        <location filename="../views/import_wizard/mapping.py" line="215"/>
        <source>Choose the column with the employee code or name.</source>
        <translation>请选择员工编号或姓名所在的列。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="213"/>
        <source>Choose the columns with the shift&apos;s start and end.</source>
        <translation>请选择上班和下班时间所在的列。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="226"/>
        <source>Ready to import. Bad rows will be left out and saved to a rejects file.</source>
        <translation>可以导入了。错误行将被跳过，并另存到拒收文件。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/mapping.py" line="228"/>
        <source>Ready to import. Nothing is written if a row has a problem.</source>
        <translation>可以导入了。只要有一行出错，就不会写入任何数据。</translation>
    </message>
</context>
<context>
    <name>Page</name>
    <message>
        <location filename="../kiosk/page.py" line="80"/>
        <source>Something went wrong. Try again, or ask your shift lead. (%1)</source>
        <translation>出错了。请重试，或告知值班主管。（%1）</translation>
    </message>
</context>
<context>
    <name>PasswordDialog</name>
    <message>
        <location filename="../views/user_dialogs.py" line="239"/>
        <source>New password for %1</source>
        <translation>为 %1 设置新密码</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="239"/>
        <source>Set password</source>
        <translation>设置密码</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="249"/>
        <source>New password</source>
        <translation>新密码</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="250"/>
        <source>Password again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="251"/>
        <source>Tell the person their new password in person or by phone, never by e-mail.</source>
        <translation>请当面或通过电话告诉对方新密码，切勿通过电子邮件发送。</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="259"/>
        <source>A password needs at least %1 characters.</source>
        <translation>密码至少需要 %1 个字符。</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="263"/>
        <source>The password must not be the user name.</source>
        <translation>密码不能与用户名相同。</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="271"/>
        <source>The two passwords differ.</source>
        <translation>两次输入的密码不一致。</translation>
    </message>
</context>
<context>
    <name>PinDialog</name>
    <message>
        <location filename="../views/user_dialogs.py" line="287"/>
        <source>Kiosk PIN for %1</source>
        <translation>%1 的自助终端 PIN 码</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="287"/>
        <source>Set PIN</source>
        <translation>设置 PIN 码</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="299"/>
        <source>PIN (4-6 digits)</source>
        <translation>PIN 码（4-6 位数字）</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="300"/>
        <source>PIN again</source>
        <translation>再次输入 PIN 码</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="305"/>
        <source>A PIN has 4 to 6 digits.</source>
        <translation>PIN 码为 4 到 6 位数字。</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="308"/>
        <source>The two PINs differ.</source>
        <translation>两次输入的 PIN 码不一致。</translation>
    </message>
</context>
<context>
    <name>PoliciesView</name>
    <message>
        <location filename="../views/policies/tab.py" line="35"/>
        <source>Only head-office roles (service director, executive, administrator) may change chain-wide settings. Nothing was saved.</source>
        <translation>只有总部角色（服务总监、高管、管理员）可以修改全连锁设置。未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../views/policies/tab.py" line="41"/>
        <source>Not saved: %1</source>
        <translation>未保存：%1</translation>
    </message>
    <message>
        <location filename="../views/policies/tab.py" line="42"/>
        <source>Could not load: %1</source>
        <translation>无法加载：%1</translation>
    </message>
    <message>
        <location filename="../views/policies/incident_rules.py" line="54"/>
        <source>no money</source>
        <translation>无金额</translation>
    </message>
    <message>
        <location filename="../views/policies/view.py" line="37"/>
        <source>You can read the chain&apos;s policies here. Only head office (service director, executive, administrator) can change them.</source>
        <translation>你可以在这里查看连锁的各项政策。只有总部（服务总监、高管、管理员）可以修改。</translation>
    </message>
    <message>
        <location filename="../views/policies/view.py" line="48"/>
        <source>Tier policies</source>
        <translation>档位政策</translation>
    </message>
    <message>
        <location filename="../views/policies/view.py" line="49"/>
        <source>Escalation</source>
        <translation>升级</translation>
    </message>
    <message>
        <location filename="../views/policies/view.py" line="50"/>
        <source>Surge calendar</source>
        <translation>高峰期日历</translation>
    </message>
    <message>
        <location filename="../views/policies/view.py" line="51"/>
        <source>Thresholds</source>
        <translation>阈值</translation>
    </message>
    <message>
        <location filename="../views/policies/view.py" line="52"/>
        <source>Authority and playbooks</source>
        <translation>处理权限与应对预案</translation>
    </message>
    <message>
        <location filename="../views/policies/view.py" line="53"/>
        <source>Wages</source>
        <translation>工资</translation>
    </message>
    <message>
        <location filename="../views/policies/view.py" line="63"/>
        <source>Policies</source>
        <translation>政策</translation>
    </message>
</context>
<context>
    <name>PolicyTab</name>
    <message>
        <location filename="../views/policies/tab.py" line="92"/>
        <source>Unsaved changes</source>
        <translation>有未保存的更改</translation>
    </message>
    <message>
        <location filename="../views/policies/tab.py" line="95"/>
        <source>Revert</source>
        <translation>还原</translation>
    </message>
    <message>
        <location filename="../views/policies/tab.py" line="96"/>
        <source>Throw away the changes and show what is saved</source>
        <translation>放弃更改，显示已保存的内容</translation>
    </message>
    <message>
        <location filename="../views/policies/tab.py" line="97"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
</context>
<context>
    <name>PressureList</name>
    <message>
        <location filename="../widgets/pressure_list.py" line="163"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="163"/>
        <source>Shift</source>
        <translation>班次</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="163"/>
        <source>Index</source>
        <translation>指数</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="163"/>
        <source>Level</source>
        <translation>等级</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="165"/>
        <source>Who is rostered today</source>
        <translation>今天排班的人员</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="166"/>
        <source>Their shift, in the store&apos;s local time</source>
        <translation>其班次（门店当地时间）</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="167"/>
        <source>Pressure index, 0–100: the points of the reasons shown below add up to it</source>
        <translation>压力指数，0–100：由下方各项原因的分数相加而成</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="168"/>
        <source>Green, amber or red, by the pressure thresholds (Policies &gt; Thresholds)</source>
        <translation>按压力阈值分为绿色、琥珀色或红色（政策 &gt; 阈值）</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="174"/>
        <source>Select a person to see why their shift is hard.</source>
        <translation>选择一名员工，查看其班次为何吃力。</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="177"/>
        <source>Green</source>
        <translation>绿色</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="177"/>
        <source>Amber</source>
        <translation>黄色</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="177"/>
        <source>Red</source>
        <translation>红色</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="197"/>
        <source>No pressure factors</source>
        <translation>无压力因素</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="203"/>
        <source>Nobody is on the roster for this day.</source>
        <translation>这一天没有人排班。</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="231"/>
        <source>No pressure factors on this shift.</source>
        <translation>这个班次没有压力因素。</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="235"/>
        <source>+%1 pts</source>
        <translation>+%1 分</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="241"/>
        <source>Why (points add up to the index, 100 at most):</source>
        <translation>原因（各项分数相加即为指数，最高 100）：</translation>
    </message>
</context>
<context>
    <name>PressureReason</name>
    <message>
        <location filename="../widgets/pressure_list.py" line="38"/>
        <source>alone {periods} ({alone_min:.0f} min with nobody to step in)</source>
        <translation>单人在岗 {periods}（{alone_min:.0f} 分钟无人可补位）</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="39"/>
        <source>{start}-{end} with {orders_per_hour:.0f} orders/h: utilisation {utilisation:.2f}</source>
        <translation>{start}-{end} {orders_per_hour:.0f} 单/小时：利用率 {utilisation:.2f}</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="42"/>
        <source>modelled wait {wait_min:.1f} min for the slowest {slowest_pct:.0f}% of orders (target {target_min:.0f} min); longest at {worst_start}-{worst_end}: {worst_min:.1f} min</source>
        <translation>最慢的 {slowest_pct:.0f}% 订单测算等待 {wait_min:.1f} 分钟（目标 {target_min:.0f} 分钟）；最长在 {worst_start}-{worst_end}：{worst_min:.1f} 分钟</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="47"/>
        <source>modelled wait {wait_min:.1f} min for the slowest {slowest_pct:.0f}% of orders (target {target_min:.0f} min); at {worst_start}-{worst_end} the queue grows without limit</source>
        <translation>最慢的 {slowest_pct:.0f}% 订单测算等待 {wait_min:.1f} 分钟（目标 {target_min:.0f} 分钟）；{worst_start}-{worst_end} 队伍会无限变长</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="52"/>
        <source>mean utilisation {utilisation:.2f} over the shift ({calm:.2f} is calm, {flat_out:.2f} flat out)</source>
        <translation>整个班次平均利用率 {utilisation:.2f}（{calm:.2f} 为平稳，{flat_out:.2f} 为满负荷）</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="56"/>
        <source>{busy_min:.0f} min at utilisation {threshold:.2f} or more</source>
        <translation>利用率达到 {threshold:.2f} 及以上共 {busy_min:.0f} 分钟</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="57"/>
        <source>longest rush {start}-{end}: {rush_min:.0f} min straight at utilisation {threshold:.2f} or more</source>
        <translation>最长高峰 {start}-{end}：利用率连续 {rush_min:.0f} 分钟达到 {threshold:.2f} 及以上</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="61"/>
        <source>{hours:.1f} h without a break ({start}-{end})</source>
        <translation>连续 {hours:.1f} 小时没有休息（{start}-{end}）</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="62"/>
        <source>incidents during the shift: {incidents}</source>
        <translation>班次内事件：{incidents}</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="63"/>
        <source>incidents during the shift: {incidents}, with a sensitive trigger (escalated complaint, consumer association or media)</source>
        <translation>班次内事件：{incidents}，涉及敏感话题（升级投诉、消费者协会或媒体）</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="68"/>
        <source>end-of-shift check-in: {score}/5 for &quot;how hard was this shift&quot;</source>
        <translation>班后自评：“这个班有多辛苦”{score}/5</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="69"/>
        <source>about {customers:.0f} customers walked away {start}-{end}</source>
        <translation>{start}-{end} 约 {customers:.0f} 位顾客离开</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="70"/>
        <source>breaks not recorded</source>
        <translation>未记录休息</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="71"/>
        <source>nobody rostered {start}-{end}: all {customers:.0f} customers lost</source>
        <translation>{start}-{end} 无人排班：{customers:.0f} 位顾客全部流失</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="72"/>
        <source>burnout risk: red shifts on {red} of the last {worked} working days ({dates}); talk with them and point to the support hotline</source>
        <translation>倦怠风险：最近 {worked} 个工作日中有 {red} 天出现红色班次（{dates}）；请与其谈谈，并告知员工支持热线</translation>
    </message>
    <message>
        <location filename="../widgets/pressure_list.py" line="77"/>
        <source>no burnout risk: red shifts on {red} of the last {worked} working days (risk from {k} of {n})</source>
        <translation>无倦怠风险：最近 {worked} 个工作日中有 {red} 天出现红色班次（{n} 天中达到 {k} 天即有风险）</translation>
    </message>
</context>
<context>
    <name>PreviewPage</name>
    <message>
        <location filename="../views/import_wizard/preview.py" line="48"/>
        <source>Check the file</source>
        <translation>检查文件</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="51"/>
        <source>This is what Storemon reads from the file. Check that the columns and first rows look right.</source>
        <translation>以下是 Storemon 从文件中读到的内容。请检查各列和前几行是否正确。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="70"/>
        <source>First rows of the file</source>
        <translation>文件前几行</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="87"/>
        <source>Reading %1…</source>
        <translation>正在读取 %1…</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="112"/>
        <source>Excel workbook, sheet “%1”</source>
        <translation>Excel 工作簿，工作表“%1”</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="116"/>
        <source>comma</source>
        <translation>逗号</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="117"/>
        <source>semicolon</source>
        <translation>分号</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="118"/>
        <source>tab</source>
        <translation>制表符</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="119"/>
        <source>vertical bar</source>
        <translation>竖线</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="123"/>
        <source>CSV text, %1, separated by %2</source>
        <translation>CSV 文本，%1，以%2分隔</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="130"/>
        <source>%1 · header on line %2 · %3 of %4 columns recognised</source>
        <translation>%1 · 表头在第 %2 行 · 已识别 %3/%4 列</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="139"/>
        <source>Columns Storemon did not recognise can be matched on the next page.</source>
        <translation>Storemon 未识别的列可在下一页匹配。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="142"/>
        <source>Every column was recognised.</source>
        <translation>所有列均已识别。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="163"/>
        <source>(no name)</source>
        <translation>（无列名）</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="182"/>
        <source>“%1” is read as %2: it is “%3” with “%4” around it.</source>
        <translation>“%1”读作%2：它是“%3”，前后带有“%4”。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="189"/>
        <source>“%1” is read as %2: it contains “%3”.</source>
        <translation>“%1”读作%2：其中含有“%3”。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="190"/>
        <source>“%1” is read as %2: its values look like order numbers.</source>
        <translation>“%1”读作%2：其中的值看起来是订单号。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="194"/>
        <source>Revenue: “%1”, once per order (what the customer paid).</source>
        <translation>营业额：取“%1”，每个订单一次（顾客实付）。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="195"/>
        <source>Revenue: “%1”, added up over each order&apos;s lines.</source>
        <translation>营业额：“%1”，按每个订单的各行相加。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="196"/>
        <source>Revenue: “%1” × “%2” on each line (the file has no line total).</source>
        <translation>营业额：每行“%1” × “%2”（文件中没有行金额）。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="199"/>
        <source>Revenue: “%1” on each line, one item each (the file has no quantity).</source>
        <translation>营业额：每行取“%1”，每行一件（文件中没有数量）。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="208"/>
        <source>“%1” looks like an order total (filled on each order&apos;s first line only) and is not used; to use it, choose Order total for it on the next page.</source>
        <translation>“%1”看起来是订单总额（只在每个订单的第一行填写），未被使用；如要使用，请在下一页将它选为“订单总额”。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="216"/>
        <source>“%1” looks like %2 and is not used: “%3” has the date and time.</source>
        <translation>“%1”看起来是%2，未被使用：“%3”已含日期和时间。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="223"/>
        <source>“%1” looks like %2 and is not used (“%3” matched better); to use it instead, choose it on the next page.</source>
        <translation>“%1”看起来是%2，未被使用（“%3”更匹配）；如要改用它，请在下一页选择。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="236"/>
        <source>Storemon cannot read this file as a table:</source>
        <translation>Storemon 无法将此文件读取为表格：</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="239"/>
        <source>Storemon cannot read this file:</source>
        <translation>Storemon 无法读取此文件：</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/preview.py" line="242"/>
        <source>Something went wrong; the details are in the log file.</source>
        <translation>出错了，详细信息已记录在日志文件中。</translation>
    </message>
</context>
<context>
    <name>PromisePage</name>
    <message>
        <location filename="../kiosk/promise.py" line="84"/>
        <source>Promise a callback</source>
        <translation>预约回电</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="85"/>
        <source>What did you promise?</source>
        <translation>你承诺了什么？</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="86"/>
        <source>e.g. Call Ms Wang back about the refund: 138 0000 0000</source>
        <translation>例如：就退款事宜回电王女士：138 0000 0000</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="87"/>
        <source>When?</source>
        <translation>什么时候？</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="88"/>
        <source>In 30 min</source>
        <translation>30 分钟后</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="89"/>
        <source>In 1 hour</source>
        <translation>1 小时后</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="90"/>
        <source>In 2 hours</source>
        <translation>2 小时后</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="91"/>
        <source>Tomorrow</source>
        <translation>明天</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="94"/>
        <source>You are reminded 15 minutes before. If the time passes, your manager is told, so the promise is kept.</source>
        <translation>到期前 15 分钟会提醒你。若逾期，将通知店长，确保承诺兑现。</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="97"/>
        <source>Save promise</source>
        <translation>保存承诺</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="98"/>
        <source>Your open promises</source>
        <translation>你未兑现的承诺</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="131"/>
        <source>tomorrow at %1</source>
        <translation>明天 %1</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="131"/>
        <source>today at %1</source>
        <translation>今天 %1</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="133"/>
        <source>That time has passed</source>
        <translation>该时间已过</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="135"/>
        <source>Due %1</source>
        <translation>%1 到期</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="154"/>
        <source>None. Promises you make here are listed until kept.</source>
        <translation>暂无。在此做出的承诺会一直显示，直到兑现。</translation>
    </message>
    <message>
        <location filename="../kiosk/promise.py" line="168"/>
        <source>Promise saved for %1. You will be reminded.</source>
        <translation>已记录 %1 的承诺，届时会提醒你。</translation>
    </message>
</context>
<context>
    <name>ReadOnly</name>
    <message>
        <location filename="../widgets/read_only.py" line="33"/>
        <source>Only head office (service director, executive, administrator) may change this.</source>
        <translation>只有总部（服务总监、高管、系统管理员）可以修改此项。</translation>
    </message>
    <message>
        <location filename="../widgets/read_only.py" line="39"/>
        <source>Only an administrator may change this.</source>
        <translation>只有系统管理员可以修改此项。</translation>
    </message>
    <message>
        <location filename="../widgets/read_only.py" line="41"/>
        <source>Only an operations supervisor or head office may change this.</source>
        <translation>只有运营督导或总部可以修改此项。</translation>
    </message>
    <message>
        <location filename="../widgets/read_only.py" line="45"/>
        <source>Only a store manager or above may change this.</source>
        <translation>只有店长或更高职位可以修改此项。</translation>
    </message>
    <message>
        <location filename="../widgets/read_only.py" line="46"/>
        <source>Your role may not change this.</source>
        <translation>您的角色不能修改此项。</translation>
    </message>
</context>
<context>
    <name>RecordListView</name>
    <message>
        <location filename="../views/record_list.py" line="105"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../views/record_list.py" line="106"/>
        <source>To</source>
        <translation>至</translation>
    </message>
    <message>
        <location filename="../views/record_list.py" line="117"/>
        <source>Loading</source>
        <translation>加载中</translation>
    </message>
    <message>
        <location filename="../views/record_list.py" line="143"/>
        <source>Details</source>
        <translation>详情</translation>
    </message>
    <message>
        <location filename="../views/record_list.py" line="319"/>
        <source>CSV, UTF-8 (*.csv);;Excel workbook (*.xlsx)</source>
        <translation>CSV，UTF-8 (*.csv);;Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../views/record_list.py" line="331"/>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
</context>
<context>
    <name>RegionView</name>
    <message>
        <location filename="../views/region.py" line="285"/>
        <source>Filter by store code or name</source>
        <translation>按门店编号或名称筛选</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="286"/>
        <source>&amp;Region:</source>
        <translation>区域(&amp;R)：</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="287"/>
        <source>&amp;Show:</source>
        <translation>显示(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="292"/>
        <source>All stores</source>
        <translation>全部门店</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="293"/>
        <location filename="../views/region.py" line="310"/>
        <source>In a policy gap</source>
        <translation>处于档位空档</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="294"/>
        <location filename="../views/region.py" line="311"/>
        <source>Below policy</source>
        <translation>低于档位要求</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="295"/>
        <source>With red shifts</source>
        <translation>有红色班次</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="300"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="301"/>
        <source>Save the stores shown to a file</source>
        <translation>把当前显示的门店保存为文件</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="302"/>
        <source>CSV (UTF-8)…</source>
        <translation>CSV (UTF-8)…</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="303"/>
        <source>Excel workbook (.xlsx)…</source>
        <translation>Excel 工作簿 (.xlsx)…</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="304"/>
        <source>Modelling store %v of %m</source>
        <translation>正在测算第 %v/%m 家门店</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="305"/>
        <source>Busy hours</source>
        <translation>忙碌时段</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="306"/>
        <source>What if: tier policy</source>
        <translation>假设：档位政策</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="307"/>
        <source>What if: one more person</source>
        <translation>假设：多加一人</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="309"/>
        <location filename="../views/region.py" line="564"/>
        <source>Stores</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="312"/>
        <source>Red shifts, last sales week</source>
        <translation>红色班次（上一销售周）</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="313"/>
        <source>Solo hours a week</source>
        <translation>每周单人班小时</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="318"/>
        <source>Click to show only these stores</source>
        <translation>点击只显示这些门店</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="330"/>
        <source>Region</source>
        <translation>区域</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="399"/>
        <source>All regions</source>
        <translation>全部区域</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="430"/>
        <source>No store matches the filter.</source>
        <translation>没有符合筛选条件的门店。</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="433"/>
        <source>You have no stores to compare.</source>
        <translation>您没有可比较的门店。</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="443"/>
        <source>%1 of %2 stores · last sales week %3 – %4</source>
        <translation>%1/%2 家门店 · 上一销售周 %3 – %4</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="453"/>
        <source>%1 of %2 stores</source>
        <translation>%1/%2 家门店</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="459"/>
        <source>Loading the stores…</source>
        <translation>正在加载门店…</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="505"/>
        <source>Open on Today</source>
        <translation>在“今日”中打开</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="508"/>
        <source>Try one more person…</source>
        <translation>试试多加一人…</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="511"/>
        <source>Store settings…</source>
        <translation>门店设置…</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="533"/>
        <source>Policy note</source>
        <translation>档位说明</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="534"/>
        <source>Tier policy</source>
        <translation>营业额档位政策</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="537"/>
        <source>Week from</source>
        <translation>周起始</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="538"/>
        <source>Week to</source>
        <translation>周结束</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="544"/>
        <source>CSV, UTF-8 (*.csv)</source>
        <translation>CSV，UTF-8 (*.csv)</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="545"/>
        <source>Excel workbook (*.xlsx)</source>
        <translation>Excel 工作簿 (*.xlsx)</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="551"/>
        <source>Export the stores shown</source>
        <translation>导出当前显示的门店</translation>
    </message>
    <message>
        <location filename="../views/region.py" line="583"/>
        <source>Exported %1 stores to %2</source>
        <translation>已导出 %1 家门店到 %2</translation>
    </message>
</context>
<context>
    <name>ResultPage</name>
    <message>
        <location filename="../views/import_wizard/result.py" line="64"/>
        <source>Show the rejects file</source>
        <translation>查看拒收文件</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="69"/>
        <source>Where</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="69"/>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="69"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="79"/>
        <source>Problems found in the file</source>
        <translation>文件中发现的问题</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="82"/>
        <source>Copy the list</source>
        <translation>复制列表</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="124"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="134"/>
        <source>Import cancelled</source>
        <translation>导入已取消</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="136"/>
        <source>Nothing was written to the database. The data is as it was before.</source>
        <translation>没有写入数据库，数据保持原样。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="141"/>
        <source>The import failed</source>
        <translation>导入失败</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="146"/>
        <source>Something went wrong; the details are in the log file.</source>
        <translation>出错了，详细信息已记录在日志文件中。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="147"/>
        <source>Nothing was written to the database.</source>
        <translation>没有写入数据库。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="174"/>
        <source>Already imported</source>
        <translation>已导入过</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="175"/>
        <source>This exact file was imported before, so nothing was changed.</source>
        <translation>这个文件之前已经导入过，因此没有任何更改。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="178"/>
        <source>Import complete</source>
        <translation>导入完成</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="179"/>
        <source>%1 is in Storemon now.</source>
        <translation>%1 已导入 Storemon。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="181"/>
        <source>Rows read</source>
        <translation>读取行数</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="182"/>
        <source>Rows imported</source>
        <translation>导入行数</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="186"/>
        <source>New orders</source>
        <translation>新订单</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="189"/>
        <source>Orders already in Storemon (skipped)</source>
        <translation>Storemon 中已有的订单（已跳过）</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="194"/>
        <source>In the file</source>
        <translation>文件内容</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="196"/>
        <source>%1 orders in %2 stores over %3 days, revenue %4</source>
        <translation>%2 家门店 %3 天共 %1 个订单，营业额 %4</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="203"/>
        <source>Exact duplicate rows dropped</source>
        <translation>已删除的完全重复行</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="206"/>
        <source>Orders without a price (counted, revenue unknown)</source>
        <translation>无价格的订单（已计入订单数，营业额未知）</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="212"/>
        <source>New shifts</source>
        <translation>新班次</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="215"/>
        <source>Shifts already in Storemon (skipped)</source>
        <translation>Storemon 中已有的班次（已跳过）</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="220"/>
        <source>People created</source>
        <translation>新建人员</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="223"/>
        <source>People added</source>
        <translation>新增人员</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="224"/>
        <source>People updated</source>
        <translation>更新人员</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="226"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="227"/>
        <source>Stores created</source>
        <translation>新建门店</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="229"/>
        <source>Opening hours of %1, from its sales</source>
        <translation>%1 的营业时间（按销售推算）</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="235"/>
        <source>Rows skipped as bad</source>
        <translation>跳过的错误行</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="237"/>
        <source>%1, listed in %2</source>
        <translation>%1，详见 %2</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="248"/>
        <source>Nothing was imported</source>
        <translation>未导入任何数据</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="252"/>
        <source>Problems found: %1. Nothing was written to the database. Fix the lines below in the file and import it again, or change the options and choose “Skip bad rows” to import the good rows only.</source>
        <translation>发现问题：%1 个。没有写入数据库。请在文件中修正下列行后重新导入，或更改选项并选择“跳过错误行”，只导入正确的行。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="268"/>
        <source>Showing the first %1 of %2 problems.</source>
        <translation>显示前 %1 个问题，共 %2 个。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="286"/>
        <source>Import as</source>
        <translation>导入为</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/result.py" line="290"/>
        <source>Where the list says %1, use “%2” under Change options.</source>
        <translation>列表中显示 %1 的，请在“更改选项”中选择“%2”。</translation>
    </message>
</context>
<context>
    <name>Roles</name>
    <message>
        <location filename="../models/roster_table.py" line="34"/>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <location filename="../widgets/form_helpers.py" line="35"/>
        <source>Shift lead</source>
        <translation>值班主管</translation>
    </message>
    <message>
        <location filename="../widgets/form_helpers.py" line="36"/>
        <source>Store manager</source>
        <translation>店长</translation>
    </message>
    <message>
        <location filename="../widgets/form_helpers.py" line="37"/>
        <source>Operations supervisor</source>
        <translation>运营督导</translation>
    </message>
    <message>
        <location filename="../widgets/form_helpers.py" line="38"/>
        <source>Service director</source>
        <translation>服务总监</translation>
    </message>
    <message>
        <location filename="../widgets/form_helpers.py" line="39"/>
        <source>Executive</source>
        <translation>高管</translation>
    </message>
    <message>
        <location filename="../widgets/form_helpers.py" line="40"/>
        <source>Administrator</source>
        <translation>管理员</translation>
    </message>
    <message>
        <location filename="../widgets/form_helpers.py" line="34"/>
        <source>Frontline staff</source>
        <translation>一线员工</translation>
    </message>
</context>
<context>
    <name>RosterTableModel</name>
    <message>
        <location filename="../models/roster_table.py" line="46"/>
        <source>(+1)</source>
        <translation>(次日)</translation>
    </message>
    <message>
        <location filename="../models/roster_table.py" line="146"/>
        <source>No shift</source>
        <translation>无班次</translation>
    </message>
    <message>
        <location filename="../models/roster_table.py" line="151"/>
        <source>Borrowed from %1</source>
        <translation>借调自 %1</translation>
    </message>
    <message>
        <location filename="../models/roster_table.py" line="159"/>
        <source>Alone on the floor for %1</source>
        <translation>单人在岗 %1</translation>
    </message>
    <message>
        <location filename="../models/roster_table.py" line="176"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../models/roster_table.py" line="185"/>
        <source>borrowed from %1</source>
        <translation>借调自 %1</translation>
    </message>
    <message>
        <location filename="../models/roster_table.py" line="187"/>
        <source>from another store</source>
        <translation>来自其他门店</translation>
    </message>
    <message>
        <location filename="../models/roster_table.py" line="190"/>
        <source>no longer active</source>
        <translation>已停用</translation>
    </message>
</context>
<context>
    <name>RosterWhatIfPanel</name>
    <message>
        <location filename="../widgets/whatif_panel.py" line="569"/>
        <source>Add a person &amp;from</source>
        <translation>增加一人，从(&amp;F)</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="570"/>
        <source>to</source>
        <translation>到</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="571"/>
        <source>&amp;Try it</source>
        <translation>试算(&amp;T)</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="573"/>
        <source>Replay the store&apos;s last sales week with one more person every day; nothing is saved</source>
        <translation>按每天多一人重算该门店上一销售周；不会保存任何内容</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="576"/>
        <source>Figure</source>
        <translation>指标</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="576"/>
        <source>Now</source>
        <translation>现在</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="576"/>
        <source>With the person</source>
        <translation>加人后</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="576"/>
        <source>Change</source>
        <translation>变化</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="580"/>
        <source>“Now” is the week as the table shows it. The rostered shifts keep their incidents and check-ins; the added person has none.</source>
        <translation>“现在”即上表所示的这一周。已排班次保留其事件和班后自评；新增的人员没有。</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="647"/>
        <source>Select a store in the table above.</source>
        <translation>请在上方表格中选择一家门店。</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="648"/>
        <source>Then choose when the extra person works and press Try it.</source>
        <translation>然后选择加派人员的上班时间，再点“试算”。</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="652"/>
        <source>%1 %2 — last sales week %3 – %4</source>
        <translation>%1 %2 — 上一销售周 %3 – %4</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="661"/>
        <source>The end must be after the start.</source>
        <translation>结束时间必须晚于开始时间。</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="666"/>
        <source>One more person %1–%2 every day of that week; the roster itself is not changed.</source>
        <translation>那一周每天 %1–%2 多一人；排班本身不会改变。</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="718"/>
        <source>Worst shift pressure</source>
        <translation>最高班次压力指数</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="719"/>
        <source>Customers walking away</source>
        <translation>离开的顾客</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="735"/>
        <source>Labour cost</source>
        <translation>人工成本</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="749"/>
        <source>With one more person %1–%2: mean wait %3 → %4 min, P90 wait %5 → %6 min, for %7 staff-hours a week.</source>
        <translation>每天 %1–%2 多一人：平均排队等待 %3 → %4 分钟，P90 等待 %5 → %6 分钟，每周人工时 %7。</translation>
    </message>
</context>
<context>
    <name>ScheduleView</name>
    <message>
        <location filename="../views/schedule.py" line="85"/>
        <source>Schedule</source>
        <translation>排班</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="93"/>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="99"/>
        <location filename="../views/schedule.py" line="100"/>
        <source>Previous week</source>
        <translation>上一周</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="103"/>
        <location filename="../views/schedule.py" line="104"/>
        <source>Next week</source>
        <translation>下一周</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="108"/>
        <source>Any day of the week to show</source>
        <translation>选择要显示那一周中的任意一天</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="109"/>
        <source>Week</source>
        <translation>周</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="110"/>
        <source>This week</source>
        <translation>本周</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="123"/>
        <source>Add shift…</source>
        <translation>添加班次…</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="124"/>
        <source>Change shift…</source>
        <translation>修改班次…</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="125"/>
        <location filename="../views/schedule.py" line="186"/>
        <location filename="../views/schedule.py" line="555"/>
        <location filename="../views/schedule.py" line="566"/>
        <location filename="../views/schedule.py" line="589"/>
        <source>Delete shift</source>
        <translation>删除班次</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="127"/>
        <source>Wages…</source>
        <translation>时薪…</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="128"/>
        <source>What each person of the store is paid an hour</source>
        <translation>本店每位员工的时薪</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="134"/>
        <source>&amp;Store</source>
        <translation>门店(&amp;S)</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="136"/>
        <source>&amp;Week</source>
        <translation>周(&amp;W)</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="157"/>
        <source>You can view this roster. A shift lead or the store manager can change it.</source>
        <translation>你可以查看此排班表。值班主管或店长可以修改。</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="185"/>
        <source>Shifts of the week</source>
        <translation>本周班次</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="199"/>
        <source>Staff on the floor</source>
        <translation>在岗人数</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="255"/>
        <source>There are no stores to show. Import a roster or create the demo chain.</source>
        <translation>没有可显示的门店。请导入排班表或创建演示连锁。</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="288"/>
        <source>Nobody works at this store yet. Import a staff list to add people.</source>
        <translation>这家门店还没有员工。请导入员工名单来添加人员。</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="292"/>
        <source>This week: %1 of shifts · %2 with one person alone on the floor</source>
        <translation>本周：排班共 %1 · 单人在岗 %2</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="298"/>
        <source>%1 below the tier policy</source>
        <translation>低于档位要求 %1</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="320"/>
        <source>Tier policy “%1” asks for %2 staff on the floor at this store (average daily revenue %3). Hours with fewer are marked below policy.</source>
        <translation>档位政策“%1”要求本店在岗 %2 人（日均营业额 %3）。人数不足的时段标记为低于档位要求。</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="329"/>
        <source>and above</source>
        <translation>及以上</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="332"/>
        <source>This store is in a policy gap: its average daily revenue (%1) falls between the bands of tier policy “%2” (%3–%4 is covered by no band), so the policy sets no staffing level here. Close the gap on the Policies screen.</source>
        <translation>本店处于档位空档：其日均营业额（%1）落在档位政策“%2”的档位之间（%3–%4 没有任何档位覆盖），因此政策未规定本店的配员人数。请在“政策”页面补上空档。</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="344"/>
        <source>This store has no tier policy, so no staffing level is checked. Assign one on the Policies screen.</source>
        <translation>本店没有档位政策，因此不检查配员人数。请在“政策”页面为其分配。</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="349"/>
        <source>There is no sales history for this store yet, so its tier policy “%1” cannot place it in a band.</source>
        <translation>本店还没有销售记录，因此档位政策“%1”无法确定其所属档位。</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="538"/>
        <source>Shift saved: %1, %2 %3</source>
        <translation>班次已保存：%1，%2 %3</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="557"/>
        <source>Delete %1&apos;s shift on %2, %3?</source>
        <translation>删除 %1 在 %2 %3 的班次？</translation>
    </message>
    <message>
        <location filename="../views/schedule.py" line="580"/>
        <source>Shift deleted: %1, %2</source>
        <translation>班次已删除：%1，%2</translation>
    </message>
</context>
<context>
    <name>SettingsView</name>
    <message>
        <location filename="../views/settings.py" line="100"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="104"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="106"/>
        <source>System (follow this computer)</source>
        <translation>跟随系统（本机设置）</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="115"/>
        <source>Show Storemon in</source>
        <translation>Storemon 显示语言</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="120"/>
        <source>This PC only: each computer of the chain keeps its own language.</source>
        <translation>仅对本机生效：连锁的每台电脑各自保存语言设置。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="122"/>
        <source>Start Storemon when I sign in to this computer</source>
        <translation>登录这台电脑时自动启动 Storemon</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="125"/>
        <source>On one PC the escalations run inside Storemon: starting it with the session keeps them running.</source>
        <translation>单机模式下由 Storemon 执行逐级上报：随系统登录启动可确保上报不中断。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="132"/>
        <source>Beep when a call for help pages me</source>
        <translation>有求助通知我时发出提示音</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="136"/>
        <source>This PC only. The banner and the taskbar flash come anyway; head office starts with the sound off, stores with it on.</source>
        <translation>仅限本电脑。横幅提醒和任务栏闪烁始终会出现；总部默认关闭提示音，门店默认开启。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="156"/>
        <source>Storemon will start when you sign in.</source>
        <translation>登录时将自动启动 Storemon。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="158"/>
        <source>Storemon will not start by itself.</source>
        <translation>Storemon 不会自动启动。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="167"/>
        <source>Language set to %1.</source>
        <translation>语言已设为 %1。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="172"/>
        <source>Database</source>
        <translation>数据库</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="179"/>
        <source>A SQLite file, or postgresql://user:password@server:5432/storemon</source>
        <translation>SQLite 文件，或 postgresql://user:password@server:5432/storemon</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="182"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="184"/>
        <location filename="../views/settings.py" line="253"/>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="186"/>
        <source>Use this database</source>
        <translation>使用此数据库</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="188"/>
        <source>Use the built-in database</source>
        <translation>使用内置数据库</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="189"/>
        <source>The SQLite file in this user&apos;s data folder</source>
        <translation>当前用户数据文件夹中的 SQLite 文件</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="201"/>
        <source>In use now</source>
        <translation>当前使用</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="202"/>
        <source>Settings file</source>
        <translation>设置文件</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="208"/>
        <source>One PC: a SQLite file. A chain: every PC uses the same PostgreSQL server. Test the connection first; Storemon switches to the new database when it next starts.</source>
        <translation>单台电脑：使用 SQLite 文件。连锁多店：所有电脑使用同一台 PostgreSQL 服务器。请先测试连接；Storemon 下次启动时切换到新数据库。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="226"/>
        <source>names: %1</source>
        <translation>文件中指定的数据库：%1</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="229"/>
        <source>%1 is set on this PC and wins over the settings file.</source>
        <translation>本机设置了 %1，它优先于设置文件。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="236"/>
        <source>Choose a database file</source>
        <translation>选择数据库文件</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="238"/>
        <source>SQLite databases (*.sqlite3 *.sqlite *.db);;All files (*)</source>
        <translation>SQLite 数据库 (*.sqlite3 *.sqlite *.db);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="259"/>
        <source>Type the full address with its password to test another server.</source>
        <translation>要测试其他服务器，请输入含密码的完整地址。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="262"/>
        <source>Testing…</source>
        <translation>正在测试…</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="263"/>
        <source>Connecting (up to 5 seconds)…</source>
        <translation>正在连接（最多 5 秒）…</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="274"/>
        <source>Connected to %1 %2 at %3.</source>
        <translation>已连接到 %3 上的 %1 %2。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="276"/>
        <source>It holds a Storemon database (schema %1).</source>
        <translation>其中已有 Storemon 数据库（架构版本 %1）。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="278"/>
        <source>The file does not exist yet; Storemon creates an empty database there.</source>
        <translation>该文件尚不存在；Storemon 会在该位置新建一个空数据库。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="280"/>
        <source>It is empty; Storemon sets it up on the next start.</source>
        <translation>数据库为空；Storemon 会在下次启动时完成初始化。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="285"/>
        <source>Cannot use this database: %1</source>
        <translation>无法使用此数据库：%1</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="291"/>
        <source>Enter a SQLite file path or a PostgreSQL address first.</source>
        <translation>请先输入 SQLite 文件路径或 PostgreSQL 地址。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="316"/>
        <source>Saved. Restart Storemon to connect to the new database.</source>
        <translation>已保存。重启 Storemon 后将连接到新数据库。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="319"/>
        <source>%1 is set on this PC and still wins over the settings file.</source>
        <translation>本机设置了 %1，它仍优先于设置文件。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="326"/>
        <source>Support for staff</source>
        <translation>员工支持</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="328"/>
        <source>e.g. 400-820-1234</source>
        <translation>例如：400-820-1234</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="330"/>
        <source>e.g. every day 8:00–22:00</source>
        <translation>例如：每天 8:00–22:00</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="332"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="332"/>
        <source>Phone</source>
        <translation>电话</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="332"/>
        <source>When to call / note</source>
        <translation>联系时间 / 备注</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="334"/>
        <source>Remove this contact</source>
        <translation>删除此联系人</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="337"/>
        <source>Add contact</source>
        <translation>添加联系人</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="340"/>
        <source>When and where the sessions are, and how to book one</source>
        <translation>辅导的时间、地点和预约方式</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="342"/>
        <source>Upcoming stress-management training and how to join</source>
        <translation>近期的压力管理培训及参加方式</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="349"/>
        <source>Save support resources</source>
        <translation>保存支持资源</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="352"/>
        <location filename="../views/settings.py" line="504"/>
        <source>Revert</source>
        <translation>还原</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="357"/>
        <source>Hours</source>
        <translation>服务时间</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="360"/>
        <source>Support hotline</source>
        <translation>支持热线</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="372"/>
        <source>Shown to staff on the counter screen after a hard moment: who to call and where to get help. Shared by every PC of the chain.</source>
        <translation>员工遇到困难时会在柜台屏幕上看到：可以联系谁、去哪里求助。连锁所有电脑共用。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="378"/>
        <source>Mutual-aid contacts (colleagues who step in or listen)</source>
        <translation>互助联系人（可以补位或倾听的同事）</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="382"/>
        <source>Mental-health sessions</source>
        <translation>心理健康辅导</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="383"/>
        <source>Stress-management training</source>
        <translation>压力管理培训</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="390"/>
        <source>Only head office (service director, executive, administrator) can change these.</source>
        <translation>只有总部（服务总监、高管、管理员）可以修改这些内容。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="470"/>
        <source>Support resources saved; the counter screens show them from now on.</source>
        <translation>支持资源已保存，柜台屏幕即刻显示。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="485"/>
        <source>Only head-office roles (service director, executive, administrator) may change chain-wide settings. Nothing was saved.</source>
        <translation>只有总部角色（服务总监、高管、管理员）可以修改全连锁设置。未保存任何内容。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="489"/>
        <source>Not saved: %1</source>
        <translation>未保存：%1</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="494"/>
        <source>Notification channels</source>
        <translation>通知渠道</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="501"/>
        <source>Save channels</source>
        <translation>保存渠道</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="515"/>
        <source>Alerts of the chosen escalation levels also go to these group chats, webhooks and mailboxes. Passwords, signing secrets and web addresses are kept in this computer&apos;s keyring (or a file only your account can read), never in the database.</source>
        <translation>所选升级层级的告警也会发送到这些群聊、Webhook 和邮箱。密码、签名密钥和网址保存在本机的密钥环中（或只有您的账户可读的文件中），从不写入数据库。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="530"/>
        <source>Only head office (service director, executive, administrator) can change the notification channels or send a test.</source>
        <translation>只有总部（服务总监、高管、管理员）可以修改通知渠道或发送测试。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="577"/>
        <source>Not saved; fix these first:</source>
        <translation>未保存；请先修正以下问题：</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="598"/>
        <source>Notification channels saved; alerts use them from now on.</source>
        <translation>通知渠道已保存；此后告警将使用这些渠道。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="616"/>
        <source>Sending…</source>
        <translation>正在发送…</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="617"/>
        <source>Sending a test message…</source>
        <translation>正在发送测试消息…</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="630"/>
        <source>Send test</source>
        <translation>发送测试</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="634"/>
        <source>Test message sent.</source>
        <translation>测试消息已发送。</translation>
    </message>
    <message>
        <location filename="../views/settings.py" line="638"/>
        <source>Test failed: %1</source>
        <translation>测试失败：%1</translation>
    </message>
</context>
<context>
    <name>ShiftDialog</name>
    <message>
        <location filename="../views/shift_dialog.py" line="43"/>
        <location filename="../views/shift_dialog.py" line="253"/>
        <source>The shift must end after it starts.</source>
        <translation>下班时间必须晚于上班时间。</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="46"/>
        <location filename="../views/shift_dialog.py" line="258"/>
        <source>A shift longer than %1 hours is most likely a typing mistake; check the day and the times.</source>
        <translation>超过 %1 小时的班次很可能是输入错误；请检查日期和时间。</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="55"/>
        <source>%1 already works %2–%3 on %4 at %5. One person&apos;s shifts cannot overlap.</source>
        <translation>%1 已在 %4 %2–%3 于 %5 上班。同一人的班次不能重叠。</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="66"/>
        <source>%1 does not work at %2 or another store of its region; only those people can be rostered here.</source>
        <translation>%1 不在 %2 或其所在区域的其他门店工作；只能为这些人员排班。</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="75"/>
        <source>%1 is no longer active.</source>
        <translation>%1 已停用。</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="78"/>
        <source>The shift starts at %1, before now (%2): adding it would rewrite the waits and pressure already recorded. Start it at %2 or later.</source>
        <translation>该班次 %1 开始，早于现在（%2）：添加它会改写已记录的等待时间和压力。请从 %2 或之后开始。</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="87"/>
        <source>Tick at least one shift to add.</source>
        <translation>请至少勾选一个要添加的班次。</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="89"/>
        <source>This person no longer exists; reload the schedule.</source>
        <translation>此人已不存在，请重新加载排班。</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="92"/>
        <source>This shift no longer exists; someone may have deleted it. Reload the schedule.</source>
        <translation>此班次已不存在，可能已被他人删除。请重新加载排班。</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="96"/>
        <source>You can view this roster but not change it.</source>
        <translation>你可以查看此排班表，但不能修改。</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="117"/>
        <source>Change shift</source>
        <translation>修改班次</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="117"/>
        <location filename="../views/shift_dialog.py" line="179"/>
        <source>Add shift</source>
        <translation>添加班次</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="159"/>
        <source>Ends after midnight (the next day)</source>
        <translation>跨过午夜（次日下班）</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="169"/>
        <source>Person</source>
        <translation>人员</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="170"/>
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="171"/>
        <source>Starts</source>
        <translation>上班</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="172"/>
        <source>Ends</source>
        <translation>下班</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="174"/>
        <source>Length</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="179"/>
        <source>Save changes</source>
        <translation>保存修改</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="201"/>
        <source>%1 · %2 · borrowed from %3</source>
        <translation>%1 · %2 · 借调自 %3</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="225"/>
        <source>Works at %1; rostered here as borrowed staff</source>
        <translation>就职于 %1；在此作为借调人员排班</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="251"/>
        <source>Choose who works this shift.</source>
        <translation>请选择上这个班的人。</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="318"/>
        <source>Shift starts in the past</source>
        <translation>班次开始时间已过</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="321"/>
        <source>This shift starts at %1, before now (%2). Adding it rewrites the waits and pressure already recorded for that time.

Add it anyway, as a shift that was worked?</source>
        <translation>该班次 %1 开始，早于现在（%2）。添加它会改写那段时间已记录的等待时间和压力。

仍要添加（作为实际上过的班次）吗？</translation>
    </message>
    <message>
        <location filename="../views/shift_dialog.py" line="331"/>
        <source>Add it anyway</source>
        <translation>仍然添加</translation>
    </message>
</context>
<context>
    <name>SourcePage</name>
    <message>
        <location filename="../views/import_wizard/source.py" line="33"/>
        <source>What do you want to import?</source>
        <translation>要导入什么？</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="36"/>
        <source>Choose the kind of data and the file (or drop it here). Nothing is written until the last step.</source>
        <translation>选择数据类型和文件（或将文件拖到这里）。最后一步之前不会写入任何数据。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="43"/>
        <source>Sales (POS export)</source>
        <translation>销售（POS 导出）</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="44"/>
        <source>Orders from the till: one row per order or per item. Demand is learnt from these.</source>
        <translation>收银系统的订单：每行一笔订单或一件商品。需求据此测算。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="46"/>
        <source>Roster</source>
        <translation>排班表</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="46"/>
        <source>Shifts: who works when, and at which store.</source>
        <translation>班次：谁在什么时间、在哪家门店上班。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="47"/>
        <source>Staff list</source>
        <translation>员工名单</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="47"/>
        <source>People, their home store, role and contact details.</source>
        <translation>人员及其所属门店、岗位和联系方式。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="65"/>
        <location filename="../views/import_wizard/source.py" line="68"/>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="67"/>
        <source>Choose a CSV or Excel (.xlsx) file…</source>
        <translation>选择 CSV 或 Excel (.xlsx) 文件…</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="70"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="80"/>
        <source>CSV files in UTF-8 or GBK, and Excel workbooks (.xlsx). You will see the first rows before anything is imported.</source>
        <translation>支持 UTF-8 或 GBK 编码的 CSV 文件，以及 Excel 工作簿 (.xlsx)。导入前会先显示前几行。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="113"/>
        <source>There is no file at this path.</source>
        <translation>此路径下没有文件。</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="130"/>
        <source>Choose a file to import</source>
        <translation>选择要导入的文件</translation>
    </message>
    <message>
        <location filename="../views/import_wizard/source.py" line="133"/>
        <source>Tables (*.csv *.xlsx *.txt);;CSV files (*.csv *.txt);;Excel workbooks (*.xlsx);;All files (*)</source>
        <translation>表格 (*.csv *.xlsx *.txt);;CSV 文件 (*.csv *.txt);;Excel 工作簿 (*.xlsx);;所有文件 (*)</translation>
    </message>
</context>
<context>
    <name>StoreCallsPanel</name>
    <message>
        <location filename="../widgets/store_calls.py" line="120"/>
        <source>1 call for help at this store</source>
        <translation>本店有 1 个求助</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/store_calls.py" line="122"/>
        <source>%n calls for help at this store</source>
        <translation>
            <numerusform>本店有 %n 个求助</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/store_calls.py" line="126"/>
        <source>1 waiting for an answer</source>
        <translation>1 个等待回应</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/store_calls.py" line="128"/>
        <source>%n waiting for an answer</source>
        <translation>
            <numerusform>%n 个等待回应</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/store_calls.py" line="146"/>
        <source>%1 · since %2</source>
        <translation>%1 · 自 %2 起</translation>
    </message>
    <message>
        <location filename="../widgets/store_calls.py" line="153"/>
        <source>Paging: %1</source>
        <translation>正在通知：%1</translation>
    </message>
    <message>
        <location filename="../widgets/store_calls.py" line="165"/>
        <source>Acknowledge</source>
        <translation>确认接单</translation>
    </message>
    <message>
        <location filename="../widgets/store_calls.py" line="168"/>
        <source>Take it: escalation stops and the person who asked sees that you have it</source>
        <translation>由你接单：停止升级，求助的人会看到你已接单</translation>
    </message>
</context>
<context>
    <name>StoreEditorDialog</name>
    <message>
        <location filename="../views/store_editor.py" line="43"/>
        <source>Monday</source>
        <translation>星期一</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="44"/>
        <source>Tuesday</source>
        <translation>星期二</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="45"/>
        <source>Wednesday</source>
        <translation>星期三</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="46"/>
        <source>Thursday</source>
        <translation>星期四</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="47"/>
        <source>Friday</source>
        <translation>星期五</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="48"/>
        <source>Saturday</source>
        <translation>星期六</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="49"/>
        <source>Sunday</source>
        <translation>星期日</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="93"/>
        <source>Store settings</source>
        <translation>门店设置</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="103"/>
        <source>Opening hours</source>
        <translation>营业时间</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="119"/>
        <source>Chain setting</source>
        <translation>沿用连锁设置</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="124"/>
        <source> min</source>
        <translation> 分钟</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="129"/>
        <source>Time zone</source>
        <translation>时区</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="130"/>
        <source>Service time per order</source>
        <translation>每单服务时间</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="131"/>
        <source>Chores per hour</source>
        <translation>每小时杂务时间</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="132"/>
        <source>Customer patience</source>
        <translation>顾客耐心</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="133"/>
        <source>Region</source>
        <translation>区域</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="134"/>
        <source>Tier policy</source>
        <translation>营业额档位政策</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="181"/>
        <source>No region</source>
        <translation>无区域</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="189"/>
        <source>No tier policy</source>
        <translation>无营业额档位政策</translation>
    </message>
    <message>
        <location filename="../views/store_editor.py" line="235"/>
        <source>%1: opening and closing are the same time.</source>
        <translation>%1：开门和关门时间相同。</translation>
    </message>
</context>
<context>
    <name>StoresTableModel</name>
    <message>
        <location filename="../models/stores_table.py" line="42"/>
        <source>In a policy gap</source>
        <translation>处于档位空档</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="43"/>
        <source>Below policy</source>
        <translation>低于档位要求</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="44"/>
        <source>Covered</source>
        <translation>符合档位</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="45"/>
        <source>Policy met, waits too long</source>
        <translation>符合政策，但等待过长</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="46"/>
        <source>No policy</source>
        <translation>未设档位</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="93"/>
        <source>Code</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="94"/>
        <source>Store code</source>
        <translation>门店编号</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="98"/>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="99"/>
        <source>Store name</source>
        <translation>门店名称</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="103"/>
        <location filename="../models/stores_table.py" line="104"/>
        <source>Region</source>
        <translation>区域</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="108"/>
        <source>Policy
status</source>
        <translation>档位
状态</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="109"/>
        <source>Whether the store&apos;s revenue tier policy covers it and its roster meets the policy</source>
        <translation>门店的营业额档位政策是否覆盖它，以及排班是否达到政策要求</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="116"/>
        <source>Revenue
per day</source>
        <translation>日均
营业额</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="117"/>
        <source>Average daily revenue over the last four weeks of sales</source>
        <translation>最近四周销售的日均营业额</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="122"/>
        <source>Policy
staff</source>
        <translation>政策
人数</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="123"/>
        <source>Staff per shift the tier policy asks for at this revenue</source>
        <translation>该营业额下档位政策要求的每班人数</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="128"/>
        <source>Rostered
staff</source>
        <translation>排班
人数</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="129"/>
        <source>Mean staff on the floor while open, last four weeks</source>
        <translation>最近四周营业时段的平均在岗人数</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="134"/>
        <source>Solo hours
per week</source>
        <translation>每周
单人班小时</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="135"/>
        <source>Hours one person ran the store alone, last sales week</source>
        <translation>上一销售周一人独自看店的小时数</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="140"/>
        <source>Mean wait
(min)</source>
        <translation>平均等待
(分钟)</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="141"/>
        <source>Order-weighted mean queue wait in minutes, last sales week</source>
        <translation>上一销售周按订单加权的平均排队等待（分钟）</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="146"/>
        <source>P90 wait
(min)</source>
        <translation>P90 等待
(分钟)</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="147"/>
        <source>Nine orders in ten waited at most this many minutes, last sales week</source>
        <translation>上一销售周九成订单的等待不超过此分钟数</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="154"/>
        <source>Walked
away</source>
        <translation>离开
顾客</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="155"/>
        <source>Customers expected to have walked away unserved (out of patience), last sales week</source>
        <translation>上一个销售周预计未获接待而离开的顾客数（等不及离开）</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="163"/>
        <source>Red
shifts</source>
        <translation>红色
班次</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="164"/>
        <source>Shifts whose pressure index reached red, last sales week</source>
        <translation>上一销售周压力指数达到红色的班次</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="169"/>
        <source>Mean
pressure</source>
        <translation>平均
压力指数</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="170"/>
        <source>Mean pressure index of the week&apos;s shifts (0-100)</source>
        <translation>本周各班次的平均压力指数（0-100）</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="175"/>
        <source>Peak
pressure</source>
        <translation>最高
压力指数</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="176"/>
        <source>Highest pressure index of any shift in the week (0-100)</source>
        <translation>本周所有班次中的最高压力指数（0-100）</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="181"/>
        <source>Labour
% of sales</source>
        <translation>人工成本
占销售额</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="182"/>
        <source>Wages of the week&apos;s shifts as a percentage of its sales, last sales week</source>
        <translation>上一销售周各班次工资占该周销售额的百分比</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="286"/>
        <location filename="../models/stores_table.py" line="306"/>
        <source>Tier policy: %1</source>
        <translation>营业额档位政策：%1</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="290"/>
        <source>But customers waited %1 min on average against a target of %2 min: the roster meets the policy, the policy asks for too few people here.</source>
        <translation>但顾客平均等待 %1 分钟，目标为 %2 分钟：排班符合政策，但该政策对这家门店要求的人手太少。</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="299"/>
        <source>%1 min on average against a target of %2 min (last sales week: %3 – %4)</source>
        <translation>平均等待 %1 分钟，目标 %2 分钟（最近销售周：%3 – %4）</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="308"/>
        <source>%1 %2 — double-click to open it on Today</source>
        <translation>%1 %2 — 双击在“今日”中打开</translation>
    </message>
    <message>
        <location filename="../models/stores_table.py" line="321"/>
        <source>Last sales week: %1 – %2</source>
        <translation>上一销售周：%1 – %2</translation>
    </message>
</context>
<context>
    <name>SupportPage</name>
    <message>
        <location filename="../kiosk/support.py" line="51"/>
        <source>Where to get support</source>
        <translation>获取支持</translation>
    </message>
    <message>
        <location filename="../kiosk/support.py" line="52"/>
        <source>Staff support hotline</source>
        <translation>员工支持热线</translation>
    </message>
    <message>
        <location filename="../kiosk/support.py" line="53"/>
        <source>Colleagues you can call</source>
        <translation>可以联系的同事</translation>
    </message>
    <message>
        <location filename="../kiosk/support.py" line="54"/>
        <source>Mental-health sessions</source>
        <translation>心理健康辅导</translation>
    </message>
    <message>
        <location filename="../kiosk/support.py" line="55"/>
        <source>Stress-management training</source>
        <translation>压力管理培训</translation>
    </message>
    <message>
        <location filename="../kiosk/support.py" line="57"/>
        <source>Hard shifts are not your fault. Asking for help is part of the job, never a weakness.</source>
        <translation>班次辛苦不是你的错。求助是工作的一部分，绝不是软弱。</translation>
    </message>
    <message>
        <location filename="../kiosk/support.py" line="68"/>
        <source>National psychological assistance hotline, free of charge.</source>
        <translation>全国心理援助热线，免费。</translation>
    </message>
    <message>
        <location filename="../kiosk/support.py" line="76"/>
        <source>Ask your store manager who to call.</source>
        <translation>可联系谁请询问店长。</translation>
    </message>
    <message>
        <location filename="../kiosk/support.py" line="77"/>
        <source>Ask your store manager when the next session is.</source>
        <translation>下一次心理辅导时间请询问店长。</translation>
    </message>
    <message>
        <location filename="../kiosk/support.py" line="79"/>
        <source>Ask your store manager about the next training.</source>
        <translation>下一次培训时间请询问店长。</translation>
    </message>
</context>
<context>
    <name>SurgeEditor</name>
    <message>
        <location filename="../widgets/surge_editor.py" line="52"/>
        <source>Raise the forecast by the demand factor even when no past year&apos;s sales show what the period does; with a past year, its effect is measured from the sales instead. A period without &quot;every year&quot; always applies.</source>
        <translation>即使没有往年销售数据显示该时段的影响，也按需求系数提高预测；有往年数据时，改为根据销售数据测算其影响。未勾选&quot;每年&quot;的时段始终生效。</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="60"/>
        <source>all stores</source>
        <translation>全部门店</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="145"/>
        <source>Label</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="146"/>
        <source>Starts</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="147"/>
        <source>Ends (included)</source>
        <translation>结束（含当天）</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="148"/>
        <source>Demand</source>
        <translation>需求系数</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="149"/>
        <source>Alert sensitivity</source>
        <translation>告警灵敏度</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="150"/>
        <source>Every year</source>
        <translation>每年</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="151"/>
        <source>Apply without a past year</source>
        <translation>无往年数据时也生效</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="152"/>
        <source>Only these stores</source>
        <translation>仅限这些门店</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="155"/>
        <source>Remove this period</source>
        <translation>删除此时段</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="160"/>
        <source>Demand × 1.15 expects 15 % more orders on those days; alert sensitivity above 1 makes alerts fire earlier. Overlapping periods multiply their demand and take the highest sensitivity. Leave the stores empty for the whole chain.</source>
        <translation>需求系数 × 1.15 表示这几天预计订单增加 15%；告警灵敏度大于 1 会让告警更早触发。时段重叠时需求系数相乘，灵敏度取最高值。门店留空表示全连锁。</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="188"/>
        <source>New period</source>
        <translation>新时段</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="192"/>
        <source>New period %1</source>
        <translation>新时段 %1</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="226"/>
        <source>Give the period a label.</source>
        <translation>请为时段命名。</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="228"/>
        <source>Another period has the same label.</source>
        <translation>已有同名时段。</translation>
    </message>
    <message>
        <location filename="../widgets/surge_editor.py" line="233"/>
        <source>No store has the code %1.</source>
        <translation>没有编号为 %1 的门店。</translation>
    </message>
</context>
<context>
    <name>SurgePage</name>
    <message>
        <location filename="../views/policies/surge.py" line="31"/>
        <source>Add period</source>
        <translation>添加时段</translation>
    </message>
    <message>
        <location filename="../views/policies/surge.py" line="33"/>
        <source>Restore the default calendar</source>
        <translation>恢复默认日历</translation>
    </message>
    <message>
        <location filename="../views/policies/surge.py" line="35"/>
        <source>Only the 3·15 consumer-rights season (20 Feb – 15 Mar, every year)</source>
        <translation>仅含 3·15 消费者权益日高峰期（每年 2 月 20 日至 3 月 15 日）</translation>
    </message>
    <message>
        <location filename="../views/policies/surge.py" line="72"/>
        <source>The default calendar is in the editor; save to use it.</source>
        <translation>默认日历已填入编辑器，保存后生效。</translation>
    </message>
    <message>
        <location filename="../views/policies/surge.py" line="67"/>
        <source>Surge calendar saved.</source>
        <translation>高峰期日历已保存。</translation>
    </message>
</context>
<context>
    <name>ThresholdsPage</name>
    <message>
        <location filename="../views/policies/thresholds.py" line="61"/>
        <source>Staffing targets</source>
        <translation>配员目标</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="66"/>
        <source>Service time per order</source>
        <translation>每单服务时间</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="67"/>
        <location filename="../views/policies/thresholds.py" line="76"/>
        <location filename="../views/policies/thresholds.py" line="88"/>
        <location filename="../views/policies/thresholds.py" line="100"/>
        <source>min</source>
        <translation>分钟</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="69"/>
        <source>Mean minutes of work per order at the counter (handcrafted drinks: 1.5–4).</source>
        <translation>柜台每单平均耗时（分钟；手工饮品约 1.5–4）。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="70"/>
        <source>Between 0.25 and 30 minutes per order.</source>
        <translation>每单 0.25 至 30 分钟。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="121"/>
        <source>More than 0 % and at most 100 %.</source>
        <translation>大于 0%，且不超过 100%。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="99"/>
        <source>Target queue wait</source>
        <translation>目标排队等待时长</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="75"/>
        <source>Chores per hour</source>
        <translation>每小时杂务</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="79"/>
        <source>Minutes of cleaning, restocking, deliveries and till work each hour, taken from the serving time of whoever is on, alone or not. A store&apos;s own value wins.</source>
        <translation>每小时清洁、补货、收货和收银所需的分钟数，从在岗人员（无论是否单人）的接待时间中扣除。门店自己的设置优先。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="82"/>
        <source>Between 0 and 120 minutes per hour.</source>
        <translation>每小时 0 到 120 分钟。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="87"/>
        <source>Customer patience</source>
        <translation>顾客耐心</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="91"/>
        <source>Mean minutes a customer waits before walking away (surveys: about 4). A store&apos;s own value wins.</source>
        <translation>顾客离开前平均愿意等待的分钟数（调查：约 4 分钟）。门店自己的设置优先。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="94"/>
        <source>More than 0 minutes.</source>
        <translation>大于 0 分钟。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="102"/>
        <source>Waits above a few minutes are where conflicts start.</source>
        <translation>等待超过几分钟，冲突就容易发生。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="103"/>
        <source>Zero or more minutes.</source>
        <translation>不少于 0 分钟。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="108"/>
        <source>Orders served within the target</source>
        <translation>目标内完成的订单占比</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="111"/>
        <source>Share of orders that should wait no longer than the target.</source>
        <translation>等待不超过目标时长的订单应占的比例。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="112"/>
        <source>More than 0 % and less than 100 %.</source>
        <translation>大于 0%，且小于 100%。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="117"/>
        <source>Highest occupancy</source>
        <translation>最高利用率</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="120"/>
        <source>Busiest share of time staff should be serving; above it nobody gets a breather.</source>
        <translation>员工服务时间占比的上限；超过它就没人能喘口气。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="123"/>
        <source>Pressure levels (index 0–100)</source>
        <translation>压力等级（指数 0–100）</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="128"/>
        <source>Amber from</source>
        <translation>黄色起点</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="131"/>
        <source>A shift at or above this index is shown amber: watch it.</source>
        <translation>指数达到或超过此值的班次显示为黄色：需要留意。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="132"/>
        <source>Above 0 and not above the red level.</source>
        <translation>大于 0，且不高于红色起点。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="137"/>
        <source>Red from</source>
        <translation>红色起点</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="140"/>
        <source>At or above this the shift is too hard: send cover or change the roster.</source>
        <translation>达到或超过此值说明班次负荷过重：请安排补位或调整排班。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="141"/>
        <source>At least the amber level and at most 100.</source>
        <translation>不低于黄色起点，且不超过 100。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="143"/>
        <source>Forecast</source>
        <translation>预测</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="146"/>
        <source>expected orders (mean)</source>
        <translation>预期订单数（均值）</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="151"/>
        <source>Plan staff for</source>
        <translation>排班依据</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="155"/>
        <source>Required staff are planned for the expected orders, or for a busier hour: P90 staffs every hour as if it were as busy as one hour in ten gets.</source>
        <translation>所需人数按预期订单数计划，或按更忙的时段计划：P90 表示每小时都按十个小时中最忙的那一档来配人。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="158"/>
        <source>The mean, or between P50 and P99.</source>
        <translation>均值，或 P50 至 P99 之间。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="160"/>
        <source>Restore defaults</source>
        <translation>恢复默认值</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="278"/>
        <source>Fix the values marked in red first.</source>
        <translation>请先修正标红的数值。</translation>
    </message>
    <message>
        <location filename="../views/policies/thresholds.py" line="292"/>
        <source>Thresholds saved; staffing and pressure figures use them from now on.</source>
        <translation>阈值已保存，配员和压力数据即刻按新阈值计算。</translation>
    </message>
</context>
<context>
    <name>TierEditor</name>
    <message>
        <location filename="../widgets/tier_editor.py" line="42"/>
        <source>Daily revenue of %1 and above is covered by no band: stores there get no staffing rule.</source>
        <translation>日营业额 %1 及以上没有档位覆盖：落在这里的门店没有配员规则。</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="48"/>
        <source>Daily revenue %1–%2 is covered by no band: stores there get no staffing rule.</source>
        <translation>日营业额 %1–%2 没有档位覆盖：落在这里的门店没有配员规则。</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="53"/>
        <source>Daily revenue %1–%2 is covered by more than one band: the larger staffing applies.</source>
        <translation>日营业额 %1–%2 被多个档位覆盖：按人数较多的档位执行。</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="58"/>
        <source>Band %1 is empty: its upper bound (%2) is not above its lower bound (%3).</source>
        <translation>档位 %1 为空：上限（%2）不高于下限（%3）。</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="64"/>
        <source>Band %1 gives no staff: a shift needs at least one person.</source>
        <translation>档位 %1 没有配员：每班至少需要一人。</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="70"/>
        <source>(daypart “%1”)</source>
        <translation>（时段“%1”）</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="81"/>
        <source>no upper limit</source>
        <translation>无上限</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="84"/>
        <source>staff</source>
        <translation>人</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="86"/>
        <source>all day</source>
        <translation>全天</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="116"/>
        <source>“%1” is not an amount: type digits, e.g. 5000 or 5,000.</source>
        <translation>“%1”不是有效金额：请输入数字，例如 5000 或 5,000。</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="125"/>
        <source>Daily revenue cannot be negative.</source>
        <translation>日营业额不能为负数。</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="157"/>
        <source>From (CNY per day)</source>
        <translation>起（元/天）</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="158"/>
        <source>To (not included)</source>
        <translation>止（不含）</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="159"/>
        <source>Staff per shift</source>
        <translation>每班人数</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="160"/>
        <source>Daypart</source>
        <translation>时段</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="163"/>
        <source>Remove this band</source>
        <translation>删除此档位</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="166"/>
        <source>Add band</source>
        <translation>添加档位</translation>
    </message>
    <message>
        <location filename="../widgets/tier_editor.py" line="170"/>
        <source>A band covers daily revenue from its lower bound up to, but not including, its upper bound. Leave “To” empty for no upper limit; give a daypart only for bands that apply to one part of the day.</source>
        <translation>每个档位覆盖从下限起、到上限为止（不含上限）的日营业额。“止”留空表示无上限；只有仅适用于一天中某个时段的档位才需填写时段。</translation>
    </message>
</context>
<context>
    <name>TierPoliciesPage</name>
    <message>
        <location filename="../views/policies/tiers.py" line="148"/>
        <source>Policy</source>
        <translation>政策</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="148"/>
        <source>Stores</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="148"/>
        <source>Check</source>
        <translation>检查</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="158"/>
        <location filename="../views/policies/tiers.py" line="385"/>
        <source>New policy</source>
        <translation>新建政策</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="159"/>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="160"/>
        <location filename="../views/policies/tiers.py" line="552"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="180"/>
        <source>What the policy is for, who decided it</source>
        <translation>政策的用途、由谁决定</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="182"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="183"/>
        <source>Description</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="192"/>
        <source>Assign to stores…</source>
        <translation>分配给门店…</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="230"/>
        <source>⚠ Gap</source>
        <translation>⚠ 空档</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="230"/>
        <source>⚠ Invalid</source>
        <translation>⚠ 无效</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="233"/>
        <source>Overlap</source>
        <translation>重叠</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="236"/>
        <source>✓ Complete</source>
        <translation>✓ 完整</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="239"/>
        <source>Every daily revenue has a rule.</source>
        <translation>所有日营业额都有对应规则。</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="273"/>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="274"/>
        <source>Discard your changes to “%1”?</source>
        <translation>放弃对“%1”的更改？</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="275"/>
        <source>Discard changes</source>
        <translation>放弃更改</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="367"/>
        <source>New policy (not saved yet)</source>
        <translation>新政策（尚未保存）</translation>
    </message>
    <message numerus="yes">
        <location filename="../views/policies/tiers.py" line="370"/>
        <source>Used by %n store(s)</source>
        <translation>
            <numerusform>%n 家门店在用</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="390"/>
        <source>%1 (copy)</source>
        <translation>%1（副本）</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="397"/>
        <source>This is a copy; it is saved as a new policy.</source>
        <translation>这是副本，将另存为新政策。</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="423"/>
        <source>Some bounds are not amounts; those bands are left out of the check.</source>
        <translation>部分上下限不是有效金额，这些档位未纳入检查。</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="425"/>
        <location filename="../views/policies/tiers.py" line="494"/>
        <source>Add at least one revenue band.</source>
        <translation>请至少添加一个营业额档位。</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="432"/>
        <source>✓ Every daily revenue from 0 up is covered by exactly one band.</source>
        <translation>✓ 从 0 起的每个日营业额都恰好由一个档位覆盖。</translation>
    </message>
    <message numerus="yes">
        <location filename="../views/policies/tiers.py" line="453"/>
        <source>None of the %n store(s) using this policy falls into a gap right now.</source>
        <translation>
            <numerusform>使用此政策的 %n 家门店目前都不在空档内。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../views/policies/tiers.py" line="462"/>
        <source>%n store(s) fall into a gap now and get no staffing rule:</source>
        <translation>
            <numerusform>%n 家门店目前落在空档内，没有配员规则：</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="466"/>
        <source>%1 %2 · %3 per day (gap %4–%5)</source>
        <translation>%1 %2 · 日均 %3（空档 %4–%5）</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="486"/>
        <source>Give the policy a name.</source>
        <translation>请为政策命名。</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="490"/>
        <source>Fix the marked bands first: some bounds are not amounts.</source>
        <translation>请先修正标出的档位：部分上下限不是有效金额。</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="515"/>
        <source>“%1” leaves daily revenue without a clear staffing rule:</source>
        <translation>“%1”中有日营业额区间没有明确的配员规则：</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="519"/>
        <source>Stores in the gap now: %1.</source>
        <translation>目前处于空档的门店：%1。</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="522"/>
        <source>Stores whose revenue falls into the gap get no staffing rule, and Storemon keeps reporting them until the gap is closed.</source>
        <translation>营业额落在空档内的门店没有配员规则，Storemon 会持续报告，直到空档补上。</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="527"/>
        <source>Save a policy with a gap?</source>
        <translation>保存有空档的政策？</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="527"/>
        <source>Save a policy with an overlap?</source>
        <translation>保存有重叠的政策？</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="530"/>
        <source>Save with the gap</source>
        <translation>保留空档并保存</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="530"/>
        <source>Save anyway</source>
        <translation>仍然保存</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="535"/>
        <source>Not saved. Close the gap, or save again to keep it.</source>
        <translation>未保存。请补上空档，或再次保存以保留空档。</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="541"/>
        <source>Saved “%1”.</source>
        <translation>已保存“%1”。</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="550"/>
        <source>Delete policy</source>
        <translation>删除政策</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="551"/>
        <source>Delete “%1”? This cannot be undone.</source>
        <translation>删除“%1”？此操作无法撤销。</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="561"/>
        <source>Deleted “%1”.</source>
        <translation>已删除“%1”。</translation>
    </message>
    <message>
        <location filename="../views/policies/tiers.py" line="569"/>
        <source>Save the policy before assigning it to stores.</source>
        <translation>请先保存政策，再分配给门店。</translation>
    </message>
    <message numerus="yes">
        <location filename="../views/policies/tiers.py" line="594"/>
        <source>“%1” now applies to %n more store(s).</source>
        <translation>
            <numerusform>“%1”新增适用于 %n 家门店。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>TierWhatIfPanel</name>
    <message>
        <location filename="../widgets/whatif_panel.py" line="173"/>
        <source>Candidate &amp;policy:</source>
        <translation>候选政策(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="174"/>
        <source>Load from file…</source>
        <translation>从文件加载…</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="175"/>
        <source>Try a tier policy from a JSON file; nothing is saved</source>
        <translation>试用 JSON 文件中的档位政策；不会保存</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="176"/>
        <source>&amp;Compare</source>
        <translation>对比(&amp;C)</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="178"/>
        <source>Replay each store&apos;s last sales week staffed as the candidate policy says</source>
        <translation>按候选政策的人数重算每家门店的上一销售周</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="180"/>
        <source>Modelling %v of %m stores</source>
        <translation>正在测算 %v/%m 家门店</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="183"/>
        <source>Each store&apos;s last sales week is replayed with the candidate&apos;s staff on an opening and a closing shift. The current figures are the table&apos;s; the candidate&apos;s shifts are new, so the week&apos;s incidents and check-ins do not count on them. Nothing is saved.</source>
        <translation>按候选政策的人数安排早班和晚班，重算每家门店的上一销售周。当前数字与上表相同；候选政策的班次是新的，因此本周的事件和班后自评不计入这些班次。不会保存任何内容。</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="190"/>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="191"/>
        <source>Staff / shift</source>
        <translation>每班人数</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="192"/>
        <source>Staff-hours</source>
        <translation>人工时</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="193"/>
        <source>Solo hours</source>
        <translation>单人班小时</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="194"/>
        <source>Mean wait (min)</source>
        <translation>平均等待（分钟）</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="195"/>
        <source>P90 wait (min)</source>
        <translation>P90 等待（分钟）</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="196"/>
        <source>Red shifts</source>
        <translation>红色班次</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="197"/>
        <source>Labour cost
per week</source>
        <translation>每周
人工成本</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="205"/>
        <source>Choose a candidate policy and press Compare to see every store&apos;s last sales week staffed by it: current → candidate.</source>
        <translation>选择候选政策并点“对比”，查看每家门店上一销售周按该政策配员的结果：当前 → 候选。</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="256"/>
        <source>%1 (file %2)</source>
        <translation>%1（文件 %2）</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="271"/>
        <source>Load a tier policy</source>
        <translation>加载档位政策</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="271"/>
        <source>Tier policy (*.json);;All files (*)</source>
        <translation>档位政策 (*.json);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="298"/>
        <source>This policy has gaps; stores in them keep their roster: %1</source>
        <translation>该政策存在空档，落在空档内的门店保持原排班：%1</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="362"/>
        <source>Press Compare to model the stores under this policy.</source>
        <translation>点“对比”按此政策测算各门店。</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="382"/>
        <source>in a gap of its current policy</source>
        <translation>处于现行政策的空档</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="384"/>
        <source>in a gap of the candidate: keeps its roster</source>
        <translation>处于候选政策的空档：保持原排班</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="390"/>
        <source>gap</source>
        <translation>空档</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="393"/>
        <source>Revenue %1 per day</source>
        <translation>日均营业额 %1</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="414"/>
        <source>Total (%1 stores)</source>
        <translation>合计（%1 家门店）</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="425"/>
        <location filename="../widgets/whatif_panel.py" line="426"/>
        <source>Waits: the mean over the stores</source>
        <translation>等待：各门店的平均值</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="437"/>
        <source>No store has sales to replay yet.</source>
        <translation>还没有可重算的门店销售数据。</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="441"/>
        <source>Under “%1”: solo hours %2 → %3 a week, mean wait %4 → %5 min, red shifts %6 → %7, for %8 staff-hours a week.</source>
        <translation>按“%1”：每周单人班小时 %2 → %3，平均等待 %4 → %5 分钟，红色班次 %6 → %7，每周人工时 %8。</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="457"/>
        <source>%1 store(s) fall in the candidate&apos;s gaps and keep their roster.</source>
        <translation>%1 家门店落在候选政策的空档内，保持原排班。</translation>
    </message>
</context>
<context>
    <name>TimelineChart</name>
    <message>
        <location filename="../widgets/timeline.py" line="405"/>
        <source>Orders per 15 min · staff on shift</source>
        <translation>每 15 分钟订单数 · 在班人数</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="406"/>
        <source>Modelled wait (min)</source>
        <translation>测算等待（分钟）</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="408"/>
        <source>Forecast orders</source>
        <translation>预测订单</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="409"/>
        <source>Actual orders</source>
        <translation>实际订单</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="410"/>
        <source>Staff on shift</source>
        <translation>在班人数</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="411"/>
        <source>Modelled wait (right axis)</source>
        <translation>测算等待（右轴）</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="412"/>
        <source>Target wait</source>
        <translation>目标等待</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="413"/>
        <source>Now</source>
        <translation>现在</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="414"/>
        <source>Calm: utilisation below %1</source>
        <translation>平稳：利用率低于 %1</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="415"/>
        <source>Busy: utilisation %1 to 100%</source>
        <translation>繁忙：利用率 %1 至 100%</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="416"/>
        <source>Over capacity: 100% or more, the queue grows</source>
        <translation>超负荷：100% 及以上，队伍越排越长</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="417"/>
        <source>Solo: one person on shift</source>
        <translation>单人班：仅一人在班</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="418"/>
        <source>Rush: utilisation %1 or more</source>
        <translation>高峰：利用率 %1 及以上</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="424"/>
        <source>A single calmer quarter hour inside a rush does not end it.</source>
        <translation>高峰中单独一刻钟较平稳，不算高峰结束。</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="427"/>
        <source>Loading the store-day…</source>
        <translation>正在加载门店当日数据…</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="431"/>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="459"/>
        <source>Nothing to show: the store is closed and nobody is on shift.</source>
        <translation>无可显示内容：门店未营业，也没有人在班。</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="512"/>
        <source>Rush %1</source>
        <translation>高峰 %1</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="516"/>
        <source>Rush</source>
        <translation>高峰</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="532"/>
        <source>now %1</source>
        <translation>现在 %1</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="540"/>
        <source>Rushes: %1. Point at the chart for the figures of a quarter hour.</source>
        <translation>高峰：%1。鼠标指向图表可查看每一刻钟的数据。</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="541"/>
        <source>No rush expected. Point at the chart for the figures of a quarter hour.</source>
        <translation>预计没有高峰。鼠标指向图表可查看每一刻钟的数据。</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="566"/>
        <source>forecast %1 orders</source>
        <translation>预测 %1 单</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="569"/>
        <source>actual %1</source>
        <translation>实际 %1 单</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="570"/>
        <source>%1 on shift</source>
        <translation>%1 人在班</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="572"/>
        <source>nobody to serve the orders</source>
        <translation>无人处理订单</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="574"/>
        <source>utilisation %1%</source>
        <translation>利用率 %1%</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="575"/>
        <source>modelled wait %1 min</source>
        <translation>测算等待 %1 分钟</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="577"/>
        <source>%1 walked away</source>
        <translation>%1 位离开</translation>
    </message>
    <message>
        <location filename="../widgets/timeline.py" line="579"/>
        <source>%1 needed</source>
        <translation>需 %1 人</translation>
    </message>
</context>
<context>
    <name>TodayTips</name>
    <message>
        <location filename="../views/today_tips.py" line="26"/>
        <source>Minutes of the day with exactly one person on the floor, from the roster.
Alone, nobody can take a break, handle a complaint or fetch stock without the counter standing empty.
Green: never alone; amber: some solo time; red: %1 min or more.</source>
        <translation>根据排班，当天只有一人在岗的分钟数。
一个人在岗时，无论休息、处理投诉还是取货，柜台都会无人值守。
绿色：从不单人在岗；琥珀色：有部分单人时间；红色：%1 分钟或更多。</translation>
    </message>
    <message>
        <location filename="../views/today_tips.py" line="35"/>
        <source>The busiest quarter hour: expected orders × service time ÷ the serving time of the people on shift (minus chores).
From %1% queues build up (amber); at 100% or more they grow without end (red).</source>
        <translation>最忙的一刻钟：预计订单数 × 服务时间 ÷ 在岗人员的服务时间（扣除杂务）。
从 %1% 开始会排起队（琥珀色）；达到 100% 或以上，队伍会无限增长（红色）。</translation>
    </message>
    <message>
        <location filename="../views/today_tips.py" line="44"/>
        <source>How long the day&apos;s customers wait on average before being served, weighted by orders; from the queue model, which carries a backlog from one quarter hour into the next.
Green at or under the target of %1 min, amber up to twice it, red above.</source>
        <translation>当天顾客在被服务前的平均等待时间（按订单加权），来自排队模型，该模型会把每一刻钟积压的订单带入下一刻钟。
不超过目标 %1 分钟为绿色，不超过目标两倍为琥珀色，更高为红色。</translation>
    </message>
    <message>
        <location filename="../views/today_tips.py" line="53"/>
        <source>The highest pressure index (0–100) of anyone rostered today: points for time alone, long waits, load, busy time, rushes without a break, incidents and check-ins.
Amber from %1, red from %2. Select a person below to see their points; Help &gt; How pressure is computed explains them.</source>
        <translation>今天排班人员中最高的压力指数（0–100）：分数来自单人在岗时间、长时间等待、负荷、忙碌时间、无休息的高峰、事件和签到。
%1 起为琥珀色，%2 起为红色。在下方选择一个人可查看其得分；“帮助 &gt; 压力指数如何计算”有详细说明。</translation>
    </message>
    <message>
        <location filename="../views/today_tips.py" line="62"/>
        <source>Where the expected orders come from: the recorded sales of a past day, a forecast from the store&apos;s own sales history, or, for a new store, the pattern of similar stores scaled by its first days.</source>
        <translation>预计订单的来源：过去某天的实际销售记录、根据本店销售历史的预测，或对于新店，按其最初几天缩放的相似门店模式。</translation>
    </message>
    <message>
        <location filename="../views/today_tips.py" line="68"/>
        <source>The wages of everyone rostered today: each shift&apos;s paid hours × the person&apos;s own hourly wage, or their role&apos;s (Policies &gt; Wages), rounded to the fen.
The share is the wages ÷ the day&apos;s sales; on the current day both count only up to now.</source>
        <translation>今天排班的每个人的工资：每个班次的计薪小时 × 本人的时薪（没有则按其角色的时薪，见“政策 &gt; 工资”），四舍五入到分。
占比 = 工资 ÷ 当天销售额；当天两者都只计算到此刻。</translation>
    </message>
</context>
<context>
    <name>TodayView</name>
    <message>
        <location filename="../views/today.py" line="300"/>
        <source>&amp;Store:</source>
        <translation>门店(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="301"/>
        <source>Previous day (Alt+Left)</source>
        <translation>前一天 (Alt+Left)</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="302"/>
        <source>Next day (Alt+Right)</source>
        <translation>后一天 (Alt+Right)</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="303"/>
        <source>Previous day</source>
        <translation>前一天</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="304"/>
        <source>Next day</source>
        <translation>后一天</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="305"/>
        <source>The store&apos;s local day to show</source>
        <translation>要显示的门店当地日期</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="306"/>
        <location filename="../views/today.py" line="343"/>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="308"/>
        <source>Go back to today in the store&apos;s time zone</source>
        <translation>回到门店所在时区的今天</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="309"/>
        <location filename="../views/today.py" line="365"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="311"/>
        <source>Solo minutes</source>
        <translation>单人班时长</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="312"/>
        <source>Peak utilisation</source>
        <translation>峰值利用率</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="313"/>
        <source>Day mean wait</source>
        <translation>全天平均等待</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="314"/>
        <location filename="../views/today.py" line="660"/>
        <source>Worst shift pressure</source>
        <translation>最高班次压力指数</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="315"/>
        <source>Demand source</source>
        <translation>需求来源</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="316"/>
        <source>Labour cost</source>
        <translation>人工成本</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="321"/>
        <source>The day in quarter hours</source>
        <translation>全天分时（每 15 分钟）</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="322"/>
        <source>Pressure per person</source>
        <translation>个人压力指数</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="323"/>
        <source>What would fix today</source>
        <translation>今天怎样补救</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="326"/>
        <source>Finds the fewest extra staff-hours that bring waits under the target and every shift below amber, as cover blocks you can call in.</source>
        <translation>计算用最少的额外人工时让等待降到目标以内、所有班次低于黄色，并列出可呼叫的补位时段。</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="330"/>
        <source>Find the cover</source>
        <translation>计算补位方案</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="331"/>
        <source>From</source>
        <translation>从</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="331"/>
        <source>To</source>
        <translation>到</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="331"/>
        <source>Hours</source>
        <translation>小时数</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="383"/>
        <source>Could not work out the cover.</source>
        <translation>无法算出补位方案。</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="385"/>
        <source>Could not load the day</source>
        <translation>无法加载当日数据</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="426"/>
        <source>You have no store to look after.</source>
        <translation>你没有负责的门店。</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="487"/>
        <source>Updated %1</source>
        <translation>更新于 %1</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="501"/>
        <location filename="../views/today.py" line="533"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="502"/>
        <source>Nobody is ever alone on the floor</source>
        <translation>全天没有单人在岗</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="504"/>
        <source>%1 h with one person on the floor</source>
        <translation>%1 小时单人在岗</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="514"/>
        <source>Nobody rostered</source>
        <translation>无人排班</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="515"/>
        <source>orders with nobody on shift from %1</source>
        <translation>自 %1 起有订单但无人在班</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="519"/>
        <source>No orders expected</source>
        <translation>预计无订单</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="524"/>
        <source>%1%</source>
        <translation>%1%</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="525"/>
        <source>at %1–%2</source>
        <translation>于 %1–%2</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="534"/>
        <source>target %1 min</source>
        <translation>目标 %1 分钟</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="535"/>
        <source> · about %1 customers walked away</source>
        <translation> · 约 %1 位顾客离开</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="543"/>
        <source>%1 · index %2</source>
        <translation>%1 · 指数 %2</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="547"/>
        <source>Nobody on the roster</source>
        <translation>无人排班</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="551"/>
        <source>Actual</source>
        <translation>实际</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="551"/>
        <source>The day&apos;s recorded sales</source>
        <translation>当天已记录的销售</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="554"/>
        <source>Estimated from similar stores</source>
        <translation>参照同类门店估算</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="556"/>
        <source>Too little history of its own yet: similar stores&apos; pattern, scaled by its first days</source>
        <translation>本店自身历史尚不足：采用同类门店的客流规律，按开业头几天的销量缩放</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="562"/>
        <source>Forecast</source>
        <translation>预测</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="562"/>
        <source>Expected orders from sales history</source>
        <translation>根据历史销售预测的订单</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="589"/>
        <source>Modelling every cover block for %1…</source>
        <translation>正在为 %1 测算所有补位时段…</translation>
    </message>
    <message numerus="yes">
        <location filename="../views/today.py" line="635"/>
        <source>Add %n cover block(s): waits meet the target and every shift is below amber.</source>
        <translation>
            <numerusform>增加 %n 个补位时段：等待达标，所有班次低于黄色。</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../views/today.py" line="639"/>
        <source>Add %n cover block(s). That helps, but the day is not fixed yet.</source>
        <translation>
            <numerusform>增加 %n 个补位时段。情况会改善，但当天问题尚未解决。</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../views/today.py" line="687"/>
        <source>%1 min are still over the wait target, and the worst shift&apos;s pressure stays at %2 (amber from %3).</source>
        <translation>仍有 %1 分钟超出等待目标，最高班次压力仍为 %2（%3 起为黄色）。</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="692"/>
        <source>%1 min are still over the wait target.</source>
        <translation>仍有 %1 分钟超出等待目标。</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="695"/>
        <source>Waits then meet the target, but the worst shift&apos;s pressure stays at %1 (amber from %2).</source>
        <translation>届时等待时间达标，但最高班次压力仍为 %1（%2 起为黄色）。</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="643"/>
        <source>No cover needed: waits stay under the target and every shift is below amber.</source>
        <translation>无需补位：等待在目标以内，所有班次低于黄色。</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="646"/>
        <source>No cover block within the limits helps; talk with your regional manager.</source>
        <translation>限定范围内的补位时段都无济于事；请与区域经理沟通。</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="649"/>
        <source>%1 extra staff-hours in total.</source>
        <translation>共增加 %1 人工时。</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="653"/>
        <source>Longest wait (min)</source>
        <translation>最长等待（分钟）</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="655"/>
        <source>Time over the wait target (min)</source>
        <translation>超出等待目标的时长（分钟）</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="661"/>
        <source>Red shifts</source>
        <translation>红色班次</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="662"/>
        <source>Solo hours</source>
        <translation>单人班小时</translation>
    </message>
    <message>
        <location filename="../views/today.py" line="663"/>
        <source>Staff-hours</source>
        <translation>人工时</translation>
    </message>
</context>
<context>
    <name>TrayIcon</name>
    <message>
        <location filename="../widgets/tray.py" line="67"/>
        <source>Open Storemon</source>
        <translation>打开 Storemon</translation>
    </message>
    <message>
        <location filename="../widgets/tray.py" line="68"/>
        <source>Show alerts</source>
        <translation>查看告警</translation>
    </message>
    <message>
        <location filename="../widgets/tray.py" line="69"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../widgets/tray.py" line="89"/>
        <source>Storemon: 1 unread alert notification</source>
        <translation>Storemon：1 条未读告警通知</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/tray.py" line="91"/>
        <source>Storemon: %n unread alert notifications</source>
        <translation>
            <numerusform>Storemon：%n 条未读告警通知</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../widgets/tray.py" line="94"/>
        <source>Storemon: nothing unread</source>
        <translation>Storemon：没有未读通知</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/tray.py" line="107"/>
        <source>and %n more</source>
        <translation>
            <numerusform>另有 %n 条</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>UserDialog</name>
    <message>
        <location filename="../views/user_dialogs.py" line="102"/>
        <source>Change %1</source>
        <translation>修改 %1</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="102"/>
        <source>Add a user</source>
        <translation>添加用户</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="103"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="103"/>
        <source>Add user</source>
        <translation>添加用户</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="115"/>
        <source>A user name never changes: the audit log names people by it</source>
        <translation>用户名不可更改：审计日志用它来记录人员</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="136"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="137"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="138"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="139"/>
        <source>Store</source>
        <translation>门店</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="140"/>
        <source>Region</source>
        <translation>区域</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="142"/>
        <source>E-mail</source>
        <translation>电子邮件</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="161"/>
        <source>Sees and acts for this one store.</source>
        <translation>仅查看并处理这一家门店。</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="163"/>
        <source>Sees every store of this region.</source>
        <translation>可查看该区域的所有门店。</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="165"/>
        <source>Head office: sees the whole chain.</source>
        <translation>总部：可查看整个连锁。</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="172"/>
        <source>Choose a user name.</source>
        <translation>请选择一个用户名。</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="178"/>
        <source>A user name has 2-100 letters, digits, &apos;.&apos;, &apos;_&apos;, &apos;@&apos; or &apos;-&apos;, and starts with a letter or digit.</source>
        <translation>用户名由 2-100 个字母、数字、“.”、“_”、“@”或“-”组成，并以字母或数字开头。</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="185"/>
        <source>%1 is already taken; choose another user name.</source>
        <translation>%1 已被使用，请选择其他用户名。</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="194"/>
        <source>This role needs a store; there is none to choose.</source>
        <translation>该角色需要一家门店，但没有可选的门店。</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="198"/>
        <source>This role needs a region; there is none to choose.</source>
        <translation>该角色需要一个区域，但没有可选的区域。</translation>
    </message>
    <message>
        <location filename="../views/user_dialogs.py" line="228"/>
        <source>This is the last active administrator: make someone else an administrator first.</source>
        <translation>这是最后一位启用中的系统管理员：请先让其他人成为系统管理员。</translation>
    </message>
</context>
<context>
    <name>UsersView</name>
    <message>
        <location filename="../views/users.py" line="58"/>
        <source>Show deactivated accounts</source>
        <translation>显示已停用的账号</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="66"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="67"/>
        <source>User name</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="68"/>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="69"/>
        <source>Store or region</source>
        <translation>门店或区域</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="70"/>
        <source>Kiosk PIN</source>
        <translation>自助终端 PIN 码</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="71"/>
        <location filename="../views/users.py" line="169"/>
        <source>Active</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="75"/>
        <source>The name people see in alerts and on the kiosk</source>
        <translation>在告警和自助终端上显示的姓名</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="76"/>
        <source>What the person types to sign in; it never changes</source>
        <translation>登录时输入的名称，不可更改</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="77"/>
        <source>What the account may see and do</source>
        <translation>该账号可以查看和执行的内容</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="78"/>
        <source>A counter role belongs to one store, an operations supervisor to one region</source>
        <translation>门店角色属于一家门店，运营督导属于一个区域</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="79"/>
        <source>Whether the staff member behind the account can sign in at the counter</source>
        <translation>该账号对应的员工能否在柜台登录</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="80"/>
        <source>A deactivated account can no longer sign in or be paged; its history stays</source>
        <translation>已停用的账号不能再登录，也不会再被呼叫；其历史记录保留</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="93"/>
        <source>Add user…</source>
        <translation>添加用户…</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="94"/>
        <source>Change role or store…</source>
        <translation>修改角色或门店…</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="95"/>
        <source>Set new password…</source>
        <translation>设置新密码…</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="96"/>
        <location filename="../views/users.py" line="232"/>
        <source>Set kiosk PIN…</source>
        <translation>设置自助终端 PIN 码…</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="97"/>
        <location filename="../views/users.py" line="310"/>
        <source>Deactivate</source>
        <translation>停用</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="129"/>
        <source>Users</source>
        <translation>用户</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="158"/>
        <source>Whole chain</source>
        <translation>整个连锁</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="160"/>
        <source>No staff record</source>
        <translation>无员工记录</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="162"/>
        <source>Set</source>
        <translation>已设置</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="162"/>
        <source>Not set</source>
        <translation>未设置</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="169"/>
        <source>Deactivated</source>
        <translation>已停用</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="202"/>
        <source>Select a user first.</source>
        <translation>请先选择一个用户。</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="213"/>
        <source>Only an administrator may set other people&apos;s passwords.</source>
        <translation>只有系统管理员可以设置他人的密码。</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="223"/>
        <source>%1 has no staff record, so cannot sign in at the kiosk: import them with the staff file first.</source>
        <translation>%1 没有员工记录，因此无法在自助终端登录：请先通过员工文件导入。</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="232"/>
        <source>Reset kiosk PIN…</source>
        <translation>重置自助终端 PIN 码…</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="237"/>
        <source>This account is already deactivated.</source>
        <translation>该账号已停用。</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="239"/>
        <source>You cannot deactivate your own account.</source>
        <translation>您不能停用自己的账号。</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="269"/>
        <source>User added. Set their password next, so they can sign in.</source>
        <translation>用户已添加。接下来请为其设置密码，以便登录。</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="278"/>
        <source>%1 changed.</source>
        <translation>已修改 %1。</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="285"/>
        <source>New password set for %1.</source>
        <translation>已为 %1 设置新密码。</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="292"/>
        <source>Kiosk PIN set for %1.</source>
        <translation>已为 %1 设置自助终端 PIN 码。</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="301"/>
        <source>Deactivate user</source>
        <translation>停用用户</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="303"/>
        <source>Deactivate %1 (%2)? They can no longer sign in or be paged; their history stays.</source>
        <translation>停用 %1（%2）？其将不能再登录，也不会再被呼叫；历史记录保留。</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="311"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../views/users.py" line="322"/>
        <source>%1 deactivated.</source>
        <translation>已停用 %1。</translation>
    </message>
</context>
<context>
    <name>UtilisationHeatmap</name>
    <message>
        <location filename="../widgets/heatmap.py" line="298"/>
        <source>How busy staff were in each opening hour of the last sales week (mean utilisation). Above 100% the queue grows. Click a cell to open the store.</source>
        <translation>上一销售周每个营业小时员工的忙碌程度（平均利用率）。超过 100% 队伍会越排越长。点击单元格打开该门店。</translation>
    </message>
    <message>
        <location filename="../widgets/heatmap.py" line="302"/>
        <source>Closed</source>
        <translation>未营业</translation>
    </message>
    <message>
        <location filename="../widgets/heatmap.py" line="304"/>
        <source>No stores to show.</source>
        <translation>没有可显示的门店。</translation>
    </message>
    <message>
        <location filename="../widgets/heatmap.py" line="332"/>
        <source>In no opening hour did orders outrun the staff on average.</source>
        <translation>没有哪个营业小时的订单平均超过员工的处理能力。</translation>
    </message>
    <message>
        <location filename="../widgets/heatmap.py" line="338"/>
        <source>Orders outran the staff (above 100%): %1</source>
        <translation>订单超过员工处理能力（超过 100%）：%1</translation>
    </message>
    <message numerus="yes">
        <location filename="../widgets/heatmap.py" line="340"/>
        <source>and %n more hour(s).</source>
        <translation>
            <numerusform>另有 %n 个小时。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>WagesDialog</name>
    <message>
        <location filename="../views/wages_dialog.py" line="52"/>
        <source>Wages — %1</source>
        <translation>时薪 — %1</translation>
    </message>
    <message>
        <location filename="../views/wages_dialog.py" line="57"/>
        <source>Each person is paid their role&apos;s hourly wage (set by head office on Policies &gt; Wages) unless you give them their own here. Shift costs on the Schedule, Today and the reports follow.</source>
        <translation>每位员工按其岗位时薪计薪（由总部在“政策 &gt; 工资”中设定），除非您在此为其单独设定。排班、今日和报表中的班次成本随之更新。</translation>
    </message>
    <message>
        <location filename="../views/wages_dialog.py" line="65"/>
        <source>Code</source>
        <translation>工号</translation>
    </message>
    <message>
        <location filename="../views/wages_dialog.py" line="65"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../views/wages_dialog.py" line="65"/>
        <source>Role</source>
        <translation>岗位</translation>
    </message>
    <message>
        <location filename="../views/wages_dialog.py" line="65"/>
        <source>Own hourly wage</source>
        <translation>个人时薪</translation>
    </message>
    <message>
        <location filename="../views/wages_dialog.py" line="74"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../views/wages_dialog.py" line="78"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../views/wages_dialog.py" line="120"/>
        <source>role&apos;s wage (%1)</source>
        <translation>岗位时薪（%1）</translation>
    </message>
    <message>
        <location filename="../views/wages_dialog.py" line="122"/>
        <source>role&apos;s wage</source>
        <translation>岗位时薪</translation>
    </message>
</context>
<context>
    <name>WagesPage</name>
    <message>
        <location filename="../views/policies/wages.py" line="38"/>
        <source>Hourly wage per role</source>
        <translation>各岗位时薪</translation>
    </message>
    <message>
        <location filename="../views/policies/wages.py" line="44"/>
        <source>Every shift is paid its person&apos;s own wage if they have one (the staff import&apos;s hourly wage column), else their role&apos;s wage here. Schedule, Today, Region, the what-ifs and the reports price shifts with it; an added person in a what-if is paid the frontline staff wage.</source>
        <translation>每个班次按本人时薪计算（若员工导入的“时薪”列为其设定），否则按此处的岗位时薪计算。排班、今日、区域、假设分析和报表都用它计算班次成本；假设分析中增加的人员按一线店员时薪计算。</translation>
    </message>
    <message>
        <location filename="../views/policies/wages.py" line="60"/>
        <source> an hour</source>
        <translation>/小时</translation>
    </message>
    <message>
        <location filename="../views/policies/wages.py" line="81"/>
        <source>A starting default: set the chain&apos;s own wage</source>
        <translation>初始默认值：请设定本连锁的时薪</translation>
    </message>
    <message>
        <location filename="../views/policies/wages.py" line="100"/>
        <source>Wages saved.</source>
        <translation>时薪已保存。</translation>
    </message>
</context>
<context>
    <name>WhatIf</name>
    <message>
        <location filename="../widgets/whatif_panel.py" line="74"/>
        <source>Staff-hours</source>
        <translation>人工时</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="75"/>
        <source>Solo hours</source>
        <translation>单人班小时</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="76"/>
        <source>Mean wait (min)</source>
        <translation>平均等待（分钟）</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="77"/>
        <source>P90 wait (min)</source>
        <translation>P90 等待（分钟）</translation>
    </message>
    <message>
        <location filename="../widgets/whatif_panel.py" line="78"/>
        <source>Red shifts</source>
        <translation>红色班次</translation>
    </message>
</context>
<context>
    <name>_ChangeDialog</name>
    <message>
        <location filename="../views/user_dialogs.py" line="67"/>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
</context>
<context>
    <name>widget</name>
    <message>
        <location filename="../login.py" line="63"/>
        <source>Something went wrong; the details are in the log file.</source>
        <translation>出错了，详细信息已记录在日志文件中。</translation>
    </message>
</context>
</TS>
