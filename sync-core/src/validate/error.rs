//! The typed validation error, with a message in zh-CN and en for the person filling the form.

use thiserror::Error;

use crate::i18n::{Lang, Localized};

#[derive(Debug, Clone, PartialEq, Error)]
pub enum ValidationError {
    #[error("ID number must be 18 characters")]
    IdLength,
    #[error("ID number may contain only digits and a final X")]
    IdCharacters,
    #[error("ID number region code is not valid")]
    IdRegion,
    #[error("ID number birth date is not a real date")]
    IdBirthDate,
    #[error("ID number check digit does not match")]
    IdCheckDigit,
    #[error("plate is empty")]
    PlateEmpty,
    #[error("plate must start with a province abbreviation")]
    PlateProvince,
    #[error("plate format is not recognised")]
    PlateFormat,
    #[error("mobile number must be 11 digits starting 13–19")]
    Phone,
    #[error("temperature must be between 34.0 and 43.0 °C")]
    TemperatureRange,
    #[error("a required field is empty")]
    Required,
    #[error("field is too long (at most {max} characters)")]
    TooLong { max: usize },
    #[error("field contains invisible or text-direction characters")]
    HiddenCharacters,
    #[error("this household is not in this compound")]
    UnknownHousehold,
}

impl Localized for ValidationError {
    fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::ZhCn => match self {
                Self::IdLength => "身份证号应为18位".into(),
                Self::IdCharacters => "身份证号只能包含数字，末位可为X".into(),
                Self::IdRegion => "身份证号地区码无效".into(),
                Self::IdBirthDate => "身份证号中的出生日期无效".into(),
                Self::IdCheckDigit => "身份证号校验位不正确".into(),
                Self::PlateEmpty => "请填写车牌号".into(),
                Self::PlateProvince => "车牌号应以省份简称开头".into(),
                Self::PlateFormat => "车牌号格式不正确".into(),
                Self::Phone => "手机号应为以13–19开头的11位数字".into(),
                Self::TemperatureRange => "体温应在34.0至43.0 °C之间".into(),
                Self::Required => "此项为必填".into(),
                Self::TooLong { max } => format!("内容过长（最多{max}个字符）"),
                Self::HiddenCharacters => "内容含有不可见字符或文字方向控制字符".into(),
                Self::UnknownHousehold => "本小区没有这个住户".into(),
            },
        }
    }
}
