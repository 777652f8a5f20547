//! What a gate screen shows once the district has switched this device off (a lost phone).

use dioxus::prelude::*;

use crate::ctx::{use_ctx, use_lang};
use crate::text::tr;

#[component]
pub fn Locked() -> Element {
    let lang = use_lang();
    let ctx = use_ctx();
    let sync = ctx.status.read().sync.clone();
    let pending = sync.status.pending;
    rsx! {
        section { class: "locked", id: "device-locked", role: "alert",
            h1 { {tr(lang, "本机已被街道停用", "This device has been disabled by the district")} }
            p { {tr(lang,
                "卡口界面已锁定，不再给出通行结果。已上传记录中的访客姓名、手机号、身份证号已从本机删除。",
                "The gate screens are locked and give no verdicts. Visitor names, phone numbers and ID numbers of uploaded records have been deleted from this phone.")} }
            p { id: "locked-pending",
                {tr(lang, "尚未上传的记录：", "Records not yet uploaded: ")} "{pending}"
                {tr(lang, "（保留，重新启用后自动上传）", " (kept; they upload once the device is enabled again)")}
            }
            p { {tr(lang, "如属误操作，请联系街道管理员在设备页重新启用。", "If this is a mistake, ask a district administrator to enable it again on the devices page.")} }
        }
    }
}
