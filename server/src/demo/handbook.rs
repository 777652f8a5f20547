//! The demo district's starter handbook: the gate procedure, the fever protocol, and disinfection
//! of common areas with concentrations and contact times. Starter text only: each section says
//! the district must check it against its own health authority's current guidance.

use crate::store::{DbError, SectionEdit, Store};

const CHECK_ZH: &str = "\n\n> 本节为示范内容，使用前请街道对照当地卫生健康部门的最新指引核对。";
const CHECK_EN: &str = "\n\n> Starter text: the district must check it against its own health authority's current guidance before use.";

const SECTIONS: [(&str, u32, &str, &str, &str, &str); 3] = [
    (
        "gate-procedure",
        10,
        "卡口登记流程",
        "1. **问**：从哪里来、去哪一户、是否本小区居民。\n2. **验码**：扫描一卡一码。绿色放行；红色按屏幕上的原因处理；琥珀色核对证件上的姓名。\n3. **测温**：额温枪距额头 3–5 厘米。**≥ 37.3 ℃** 按《发热人员处置》办理。\n4. **登记**：访客在手机上登记姓名、手机号、拜访户（不登记身份证号，除非小区规则要求）。\n5. **引导**：访客请户主到门口接；发热或拒绝登记者引导至**临时观察点**，并用“上报”报告。\n\n每班开始前检查：额温枪电池、口罩、消毒液、手机电量。",
        "Gate procedure",
        "1. **Ask**: where from, which household, resident or not.\n2. **Check the pass**: scan the card. Green: let them through; red: follow the reason on the screen; amber: check the name on the card.\n3. **Take the temperature**: forehead thermometer 3–5 cm away. **≥ 37.3 °C**: follow the fever protocol.\n4. **Register**: visitors give name, mobile and the household they visit (no ID number unless the compound's rules ask).\n5. **Guide**: the host fetches the visitor at the gate; a person with fever or who refuses to register goes to the **temporary observation point**, and you send a report (\"Report\").\n\nAt the start of each shift check: thermometer batteries, masks, disinfectant, phone battery.",
    ),
    (
        "fever-protocol",
        20,
        "发热人员处置",
        "1. 5 分钟后用另一支体温计**复测**（腋温或额温）。\n2. 仍 **≥ 37.3 ℃**：给对方一只医用外科口罩，保持 **1 米以上**距离。\n3. 引导至**临时观察点**，不要让其进入小区或离开后自行前往人多的地方。\n4. 在手机上**上报**：类别“发热人员”，勾选“紧急”，写明体温和去向。\n5. 拨打社区卫生服务中心电话，按其安排转运。\n6. 处置后**洗手或手消毒**，对接触过的台面用 500 mg/L 含氯消毒液擦拭。",
        "Fever protocol",
        "1. **Measure again** after 5 minutes with another thermometer (armpit or forehead).\n2. Still **≥ 37.3 °C**: give them a surgical mask and keep **more than 1 m** apart.\n3. Take them to the **temporary observation point**; do not let them into the compound or off to crowded places.\n4. **Report** on the phone: category \"person with fever\", tick \"urgent\", write the temperature and where they are.\n5. Call the community health service centre and follow its arrangements for transfer.\n6. Afterwards **wash or sanitise your hands** and wipe surfaces they touched with 500 mg/L chlorine disinfectant.",
    ),
    (
        "disinfection",
        30,
        "公共区域消毒",
        "| 对象 | 消毒剂与浓度 | 作用时间 | 频次 |\n|---|---|---|---|\n| 电梯按钮、扶手、门把手 | 含氯消毒液，有效氯 **500 mg/L** | **30 分钟**后清水擦净 | 每天至少 2 次 |\n| 地面、楼道 | 含氯消毒液 500 mg/L 拖地 | 30 分钟 | 每天 1 次 |\n| 地漏 | 先注水保持水封，再倒入 500 mg/L 含氯消毒液 | 30 分钟 | 每周 1 次 |\n| 体温计、笔等小物件 | **75% 酒精**擦拭 | 自然晾干 | 每次使用后 |\n\n**配制**：84 消毒液（有效氯约 5%）按 **1:100** 加水，约为 500 mg/L；现配现用。\n\n**安全**：戴手套和口罩；含氯消毒液**不要与洁厕剂等酸性清洁剂混用**；保持通风；酒精远离明火。",
        "Disinfecting common areas",
        "| What | Disinfectant and strength | Contact time | How often |\n|---|---|---|---|\n| Lift buttons, handrails, door handles | Chlorine disinfectant, **500 mg/L** available chlorine | **30 min**, then wipe with clean water | At least twice a day |\n| Floors, stairwells | Chlorine disinfectant 500 mg/L, mop | 30 min | Daily |\n| Floor drains | Pour water first to keep the trap sealed, then 500 mg/L chlorine disinfectant | 30 min | Weekly |\n| Thermometers, pens, small items | **75 % alcohol** wipe | Air dry | After each use |\n\n**Mixing**: household bleach of about 5 % available chlorine diluted **1:100** with water gives about 500 mg/L; mix fresh each time.\n\n**Safety**: gloves and mask; **never mix chlorine with acid cleaners** (toilet cleaner); keep the space aired; keep alcohol away from flames.",
    ),
];

/// Publish the starter sections, unless the handbook has some already.
pub async fn seed_handbook(store: &Store, now_ms: i64) -> Result<usize, DbError> {
    if !store.handbook().await?.is_empty() {
        return Ok(0);
    }
    for (id, position, title_zh, body_zh, title_en, body_en) in SECTIONS {
        let edit = SectionEdit {
            section_id: id.into(),
            position,
            title_zh: title_zh.into(),
            body_zh: format!("{body_zh}{CHECK_ZH}"),
            title_en: title_en.into(),
            body_en: format!("{body_en}{CHECK_EN}"),
            retired: false,
        };
        store.save_handbook_section(&edit, "demo", now_ms).await?;
    }
    Ok(SECTIONS.len())
}
