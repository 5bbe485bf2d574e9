import type { Random } from './random.ts';

/**
 * Chinese names and the numbers that go with a person: resident ID numbers (GB 11643-1999, with a
 * valid check digit) and mobile numbers. Generated, never real.
 */

/** Common surnames, roughly in order of frequency, with a few compound ones at the end. */
const surnames = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤',
];
const compoundSurnames = ['欧阳', '司马', '上官', '诸葛', '东方', '皇甫'];
const surnameWeights = surnames.map((_, i) => 1 / (i + 4));

const givenChars = [
  ...'伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅鑫宇浩然子轩梓涵欣怡思雨佳琪雨萱晨阳博文一诺俊杰嘉怡浩宇梦瑶志强建国晓东海燕丹丹婷婷斌颖琳昊天宏伟立新佳慧文静睿泽若曦诗涵皓轩佳豪紫涵逸飞天佑锦程',
];

export function chineseName(random: Random): string {
  const surname =
    random.next() < 0.01 ? random.pick(compoundSurnames) : random.weighted(surnames, surnameWeights);
  const length = random.next() < 0.3 ? 1 : 2;
  let given = '';
  for (let i = 0; i < length; i++) given += random.pick(givenChars);
  return surname + given;
}

/** Six-digit administrative division codes of real districts (the first part of an ID number). */
const areaCodes = [
  '110101',
  '110105',
  '310104',
  '310115',
  '440106',
  '440305',
  '320102',
  '330106',
  '420111',
  '510107',
  '610113',
  '370102',
  '430104',
  '350203',
  '500103',
  '120101',
  '210102',
  '410105',
  '340104',
  '360102',
];

const checkWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const checkChars = '10X98765432';

/** The GB 11643 check character for the first 17 digits of an ID number. */
export function idCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('an ID number body is 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (checkWeights[i] as number);
  return checkChars[sum % 11] as string;
}

export function isValidIdNumber(value: string): boolean {
  return /^\d{17}[\dX]$/.test(value) && idCheckDigit(value.slice(0, 17)) === value[17];
}

/** An ID number for someone born in birthYear; the sequence's last digit is odd for men. */
export function idNumber(random: Random, birthYear: number, gender: 'M' | 'F'): string {
  const month = String(random.int(1, 12)).padStart(2, '0');
  const day = String(random.int(1, 28)).padStart(2, '0');
  const sequence = random.int(0, 49) * 2 + (gender === 'M' ? 1 : 0);
  const body = `${random.pick(areaCodes)}${birthYear}${month}${day}${String(sequence).padStart(3, '0')}`;
  return body + idCheckDigit(body);
}

const mobilePrefixes = [
  '130',
  '131',
  '132',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '157',
  '158',
  '159',
  '166',
  '177',
  '180',
  '181',
  '182',
  '186',
  '187',
  '188',
  '189',
  '198',
  '199',
];

export function mobileNumber(random: Random): string {
  return random.pick(mobilePrefixes) + random.digits(8);
}
